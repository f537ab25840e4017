import { appendFileSync, cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleIsCurrent, ensureBundles } from '@wildtls/core/bundle';
import { removeDir, tempDir } from '../harness/daemon.js';
import { ROOT, runCli } from './run-cli.js';

/*
 * @wildtls/core is loaded as one bundled module (packages/core/scripts/bundle.mjs).
 * What must hold: the bundle is never older than dist/ without someone being
 * told, a process holds one copy of core (main thread and each probe worker),
 * and nothing on the CLI's path loads core's per-file dist/ beside it.
 */

const CORE = join(ROOT, 'packages/core');

/** Load hooks that log every file: URL a process (and its worker threads) loads, one per line. */
function loadLogger(dir: string): { env: Record<string, string>; urls: () => string[] } {
  const log = join(dir, 'loaded.txt');
  writeFileSync(join(dir, 'hooks.mjs'), [
    "import { appendFileSync } from 'node:fs';",
    'export async function load(url, context, next) {',
    "  if (url.startsWith('file:')) appendFileSync(process.env.WILDTLS_LOAD_LOG, url + '\\n');",
    '  return next(url, context);',
    '}',
  ].join('\n'));
  writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
  writeFileSync(log, '');
  return {
    env: { WILDTLS_LOAD_LOG: log, NODE_OPTIONS: `--import ${join(dir, 'register.mjs')}` },
    urls: () => readFileSync(log, 'utf8').split('\n').filter(Boolean),
  };
}

describe("the checkout's core bundle", () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('core-bundle');
  });
  afterAll(() => removeDir(dir));

  it('is current (the tests\' globalSetup rebuilt it if dist/ changed) and is what "exports" names', () => {
    expect(bundleIsCurrent()).toBe(true);
    const pkg = JSON.parse(readFileSync(join(CORE, 'package.json'), 'utf8')) as { exports: Record<string, { default?: string }>; files: string[] };
    expect(pkg.exports['.']!.default).toBe('./bundle/index.js');
    expect(pkg.exports['./testing']!.default).toBe('./bundle/testing.js');
    expect(pkg.files).toContain('bundle');
  });

  it('a two-worker scan loads core and its protocol plugin once per thread, all from bundle/, never a file of a dist/', async () => {
    const logger = loadLogger(dir);
    const r = await runCli(['scan', '127.0.0.1', '--allow', '127.0.0.0/8', '-p', 'tls', '--port', '1', '-o', join(dir, 'out.jsonl'), '-q', '--workers', '2'], { cwd: dir, env: logger.env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'out.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);
    const urls = logger.urls();
    // Neither core's nor a built-in plugin's per-file dist/ (a second copy beside the bundle).
    expect(urls.filter((u) => /\/(packages\/core|plugins\/[^/]+)\/dist\//.test(u))).toEqual([]);
    expect(urls.filter((u) => /\/plugins\/protocol-tls\/bundle\/index\.js$/.test(u))).toHaveLength(3);
    const core = urls.filter((u) => u.startsWith(pathToFileURL(CORE).href + '/'));
    expect(core.filter((u) => u.endsWith('/bundle/index.js'))).toHaveLength(3);
    expect(core.filter((u) => u.endsWith('/bundle/probe-worker.js'))).toHaveLength(2);
  });
});

describe('a bundle older than dist/ (a developer who ran only `npx tsc -b`), in a copy of core', () => {
  let dir: string;
  let copy: string;
  const importCopy = (entry: string) => runCli(['-e', `const m = await import(${JSON.stringify(pathToFileURL(join(copy, entry)).href)}); console.log(JSON.stringify({ marker: m.bundleTestMarker ?? null, type: typeof m.Type }));`], { script: '--input-type=module', cwd: dir });

  beforeAll(async () => {
    dir = tempDir('core-bundle-stale');
    copy = join(dir, 'core');
    mkdirSync(copy);
    for (const part of ['dist', 'scripts', 'package.json']) cpSync(join(CORE, part), join(copy, part), { recursive: true });
    mkdirSync(join(copy, 'src')); // a checkout: src/ beside dist/
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
    const r = await runCli([], { script: join(copy, 'scripts/bundle.mjs'), cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
  afterAll(() => removeDir(dir));

  it('loads when current; after dist/ changes it refuses to load with what to run, for both entries', async () => {
    const before = await importCopy('bundle/index.js');
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout)).toEqual({ marker: null, type: 'object' });
    appendFileSync(join(copy, 'dist/index.js'), '\nexport const bundleTestMarker = 42;\n');
    for (const entry of ['bundle/index.js', 'bundle/testing.js']) {
      const r = await importCopy(entry);
      expect(r.code, entry).not.toBe(0);
      expect(r.stderr, entry).toContain('is older than');
      expect(r.stderr, entry).toContain('npm run build');
    }
  });

  it('ensureBundle (what bin/run.js and the globalSetup call) rebuilds it, and the new code is what loads', async () => {
    appendFileSync(join(copy, 'dist/index.js'), '\nexport const bundleTestMarker2 = 1;\n');
    const ensure = `import { ensureBundle, bundleIsCurrent } from ${JSON.stringify(pathToFileURL(join(copy, 'scripts/bundle.mjs')).href)}; const was = bundleIsCurrent(${JSON.stringify(copy)}); await ensureBundle(${JSON.stringify(copy)}); console.log(was, bundleIsCurrent(${JSON.stringify(copy)}));`;
    const r = await runCli(['-e', ensure], { script: '--input-type=module', cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('false true');
    const after = await importCopy('bundle/index.js');
    expect(after.stderr).toBe('');
    expect(JSON.parse(after.stdout)).toEqual({ marker: 42, type: 'object' });
  });

  it('a copy of a current package (new file times, as npm pack and the registry test copy it) is still current', () => {
    const second = join(dir, 'core-copy');
    cpSync(copy, second, { recursive: true, dereference: false });
    expect(bundleIsCurrent(copy)).toBe(true);
    expect(bundleIsCurrent(second)).toBe(true);
    appendFileSync(join(second, 'dist/errors.js'), '\n// changed\n');
    expect(bundleIsCurrent(second)).toBe(false);
  });

  it('a published package (no src/) is left alone: its bundle was made at pack time', async () => {
    removeDir(join(copy, 'src'));
    appendFileSync(join(copy, 'dist/index.js'), '\nexport const bundleTestMarker3 = 1;\n');
    const r = await importCopy('bundle/index.js');
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ marker: 42, type: 'object' });
  });
});

describe("bin/run.js's ensureBundles over a CLI's built-in plugins", () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('plugin-bundle-stale');
  });
  afterAll(() => removeDir(dir));

  it('rebuilds a stale bundle of a plugin the CLI depends on (a copy of protocol-tls, in a checkout: src/ beside dist/)', async () => {
    const cli = join(dir, 'cli');
    const plugin = join(cli, 'node_modules/@wildtls/protocol-tls');
    mkdirSync(plugin, { recursive: true });
    writeFileSync(join(cli, 'package.json'), JSON.stringify({ name: 'cli-copy', dependencies: { '@wildtls/protocol-tls': '*' } }));
    for (const part of ['dist', 'bundle', 'package.json']) cpSync(join(ROOT, 'plugins/protocol-tls', part), join(plugin, part), { recursive: true });
    mkdirSync(join(plugin, 'src'));
    expect(bundleIsCurrent(plugin)).toBe(true);
    appendFileSync(join(plugin, 'dist/index.js'), '\nexport const pluginBundleMarker = 7;\n');
    expect(bundleIsCurrent(plugin)).toBe(false);
    await ensureBundles(cli);
    expect(bundleIsCurrent(plugin)).toBe(true);
    expect(readFileSync(join(plugin, 'bundle/index.js'), 'utf8')).toContain('pluginBundleMarker');
  });
});
