import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { removeDir, tempDir } from '../harness/daemon.js';

export const CHROMIUM = '/usr/bin/chromium';

/** What Debian's Chromium saw of a page opened from a file. */
export interface PageVisit {
  consoleErrors: string[];
  /** Every request other than the page's own file: must stay empty. */
  requests: string[];
  /** Per figure (data-figure): whether it is laid out, and each mark as "<aria-roledescription>: <aria-label>" ("bar: Port: smtp:25; ..."). */
  figures: Record<string, { visible: boolean; marks: string[] }>;
  /** data-headline cell -> its text. */
  headline: Record<string, string>;
  /** The page's title and first heading, as the browser decoded them. */
  title: string;
  h1: string;
  screenshot: string;
}

/**
 * Open `file` in headless Chromium (playwright-core drives the Debian
 * binary; it never downloads a browser), with a fresh profile, no network
 * services, and every request but the page itself recorded and aborted.
 */
export async function visitPage(file: string, screenshotDir: string, name: string): Promise<PageVisit> {
  const profile = tempDir('chromium-profile');
  const pageUrl = pathToFileURL(file).href;
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1400, height: 900 },
    timeout: 60_000,
  });
  try {
    const visit: PageVisit = { consoleErrors: [], requests: [], figures: {}, headline: {}, title: '', h1: '', screenshot: '' };
    context.on('request', (r) => { if (r.url() !== pageUrl) visit.requests.push(r.url()); });
    await context.route('**/*', (route) => (route.request().url() === pageUrl ? route.continue() : route.abort()));
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => { if (m.type() === 'error') visit.consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => visit.consoleErrors.push(String(e)));
    await page.goto(pageUrl, { waitUntil: 'load', timeout: 60_000 });
    for (const fig of await page.locator('figure[data-figure]').all()) {
      const id = (await fig.getAttribute('data-figure'))!;
      const box = await fig.locator('svg').first().boundingBox();
      const marks = await fig.locator('svg [aria-roledescription]').evaluateAll((els) => els.map((e) => `${e.getAttribute('aria-roledescription')}: ${e.getAttribute('aria-label') ?? ''}`));
      visit.figures[id] = { visible: !!box && box.width > 50 && box.height > 50, marks };
    }
    visit.title = await page.title();
    visit.h1 = (await page.locator('h1').textContent()) ?? '';
    for (const cell of await page.locator('[data-headline]').all()) visit.headline[(await cell.getAttribute('data-headline'))!] = (await cell.textContent()) ?? '';
    mkdirSync(screenshotDir, { recursive: true });
    visit.screenshot = join(screenshotDir, `${name}.png`);
    await page.screenshot({ path: visit.screenshot, fullPage: true });
    return visit;
  } finally {
    await context.close();
    removeDir(profile);
  }
}
