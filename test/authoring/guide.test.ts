import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../harness/daemon.js';
import { ROOT } from '../cli/run-cli.js';
import { run } from './plugin-workspace.js';

/*
 * "Following the authoring guide word for word works": every ```sh title="run"
 * block of docs/plugin-authoring.md, in order, in one shell, in a fresh folder,
 * as a new user would type them. `wildtls` comes on PATH from the guide's
 * ```sh title="setup" block, run in this checkout as a user runs it in a clone
 * (its `npm ci && npm run build` line left out: the suite runs after both), in
 * the same non-interactive shell, as a script would; `npm install` is the real
 * one: @wildtls/core is linked from the checkout by the scaffold, the rest
 * comes from the npm cache or registry (prefer-offline).
 */

const GUIDE = resolve(ROOT, 'docs/plugin-authoring.md');

export function runBlocks(markdown: string, title = 'run'): string[] {
  return [...markdown.matchAll(new RegExp(`^\`\`\`sh title="${title}"\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map((m) => m[1]!.trimEnd());
}

/** The guide's set-up from a clone, less the install and build the test suite has done already. */
export function setupLines(markdown: string): string[] {
  const [setup] = runBlocks(markdown, 'setup');
  return (setup ?? '').split('\n').filter((l) => !/^npm ci\b/.test(l));
}

let work: string;

beforeAll(() => {
  work = tempDir('authoring-guide');
});

afterAll(() => {
  if (work) removeDir(work);
});

describe('the plugin authoring guide', () => {
  it('has runnable blocks for scaffolding, using and publishing both kinds', () => {
    const blocks = runBlocks(readFileSync(GUIDE, 'utf8'));
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    const all = blocks.join('\n');
    // A working set-up from a clone, one that scripts see too (an alias is not).
    const setup = setupLines(readFileSync(GUIDE, 'utf8'));
    expect(setup).toEqual(['export PATH="$PWD/node_modules/.bin:$PATH"']);
    for (const step of ['wildtls plugins new protocol', 'wildtls plugins new analysis', 'npm install', 'npm test', 'wildtls plugins add', 'wildtls analyze']) {
      expect(all).toContain(step);
    }
  });

  it('works word for word', async () => {
    const guide = readFileSync(GUIDE, 'utf8');
    const blocks = runBlocks(guide);
    const folder = join(work, 'user');
    mkdirSync(folder);
    // -x: the transcript shows which command failed. The set-up runs in the clone (this checkout), the rest in a fresh folder.
    const script = ['set -eux', `cd '${ROOT}'`, ...setupLines(guide), `cd '${folder}'`, `test "$(command -v wildtls)" = '${join(ROOT, 'node_modules/.bin/wildtls')}'`, ...blocks].join('\n') + '\n';
    const r = await run('bash', ['-c', script], {
      cwd: folder,
      timeoutMs: 300_000,
      env: {
        // Without the checkout's node_modules/.bin that a test runner may add: the set-up must bring wildtls.
        PATH: (process.env.PATH ?? '').split(':').filter((d) => !d.endsWith('node_modules/.bin')).join(':'),
        HOME: process.env.HOME,
        npm_config_prefer_offline: 'true',
        npm_config_audit: 'false',
        npm_config_fund: 'false',
        npm_config_update_notifier: 'false',
      },
    });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    // What the guide says the user sees.
    expect(r.stdout).toContain('created wildtls-protocol-hello');
    expect(r.stdout).toMatch(/Tests\s+4 passed/);
    expect(r.stdout).toMatch(/hello\s+protocol\s+0\.1\.0\s+\^1\.0\.0\s+path/);
    expect(r.stdout).toMatch(/Tests\s+3 passed/);
    expect(r.stdout).toContain('## tls-share');
    expect(r.stdout).toMatch(/\| smtp\s*\| 2\s*\| 1\s*\|/);
    const config = readFileSync(join(folder, 'wildtls.config.yaml'), 'utf8');
    expect(config).toContain('# wildtls configuration.');
    expect(config).toContain('  - ./wildtls-protocol-hello\n  - ./wildtls-analysis-tls-share\n');
  }, 320_000);
});
