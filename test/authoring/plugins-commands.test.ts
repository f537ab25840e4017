import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../harness/daemon.js';
import { ROOT, runCli } from '../cli/run-cli.js';

/* `wildtls plugins add` and the refusals of `wildtls plugins new`, through the built binary. */

const HELLO = resolve(ROOT, 'test/fixtures/third-party-plugin');
const OLD_API = resolve(ROOT, 'test/fixtures/old-api-plugin');
let work: string;
let config: string;
const original = (hello: string) => ['# lab config: keep this comment', 'plugins:', `  - ${hello} # the hello fixture`, 'scan:', '  rate: 10 # gentle', ''].join('\n');

beforeAll(() => {
  work = tempDir('authoring-add');
  config = join(work, 'wildtls.config.yaml');
  writeFileSync(config, original(HELLO));
});

afterAll(() => {
  if (work) removeDir(work);
});

describe('wildtls plugins add', () => {
  it('adds a package from node_modules after loading it, keeping comments', async () => {
    const r = await runCli(['plugins', 'add', '@wildtls/protocol-pop3'], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('added @wildtls/protocol-pop3');
    expect(r.stdout).toContain('protocol plugin "pop3"');
    expect(readFileSync(config, 'utf8')).toBe(original(HELLO).replace('# the hello fixture\n', '# the hello fixture\n  - "@wildtls/protocol-pop3"\n'));
    const list = await runCli(['plugins', '--json'], { cwd: work });
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).plugins.map((p: { id: string; source: string }) => [p.id, p.source])).toEqual([['hello', 'path'], ['pop3', 'built-in']]);
  });

  it('says so when the plugin is listed already', async () => {
    const before = readFileSync(config, 'utf8');
    const r = await runCli(['plugins', 'add', '@wildtls/protocol-pop3'], { cwd: work });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('already in the plugins list');
    expect(readFileSync(config, 'utf8')).toBe(before);
  });

  it.each([
    ['a missing path', './no-such-plugin', 'WILDTLS_ERR_PLUGIN_NOT_FOUND'],
    ['a missing package', 'wildtls-protocol-nope', 'WILDTLS_ERR_PLUGIN_NOT_FOUND'],
    ['a plugin built for another API', OLD_API, 'WILDTLS_ERR_PLUGIN_API'],
    ['a folder that is no plugin', resolve(ROOT, 'docs'), 'WILDTLS_ERR_PLUGIN'],
  ])('refuses %s with a clear error and leaves the file alone', async (_what, spec, code) => {
    const before = readFileSync(config, 'utf8');
    const r = await runCli(['plugins', 'add', spec], { cwd: work });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(code);
    expect(readFileSync(config, 'utf8')).toBe(before);
  });

  it('refuses a second plugin with the same id', async () => {
    const r = await runCli(['plugins', 'add', join(HELLO, 'index.js')], { cwd: work });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('WILDTLS_ERR_PLUGIN_DUPLICATE');
  });

  it('writes the starter config (built-in list first) when there is none', async () => {
    const dir = join(work, 'fresh');
    mkdirSync(dir);
    const r = await runCli(['plugins', 'add', HELLO], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('wrote the starter config');
    const text = readFileSync(join(dir, 'wildtls.config.yaml'), 'utf8');
    expect(text).toContain('# wildtls configuration.');
    expect(text).toContain('  - "@wildtls/protocol-smtp"\n');
    const listed = text.split('\n').filter((l) => l.startsWith('  - '));
    // Stored relative to the config (or absolute when far away): either way it resolves to the plugin.
    expect(resolve(dir, listed.at(-1)!.slice(4))).toBe(HELLO);
  });
});

describe('wildtls plugins new refuses', () => {
  it('a name that cannot be a plugin id', async () => {
    const r = await runCli(['plugins', 'new', 'protocol', 'My_FTP'], { cwd: work });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('lower-case');
  });

  it('a package name npm would refuse', async () => {
    const r = await runCli(['plugins', 'new', 'protocol', 'x', '--package', 'Bad"Name', '--dir', join(work, 'bad-package')], { cwd: work });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not a valid npm package name');
    expect(existsSync(join(work, 'bad-package'))).toBe(false);
  });

  it('a folder that is not empty', async () => {
    const r = await runCli(['plugins', 'new', 'analysis', 'x', '--dir', work], { cwd: work });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not empty');
    expect(existsSync(join(work, 'src'))).toBe(false);
  });
});
