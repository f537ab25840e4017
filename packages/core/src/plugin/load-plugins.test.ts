import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PLUGIN_API_VERSION } from './api.js';
import { checkPlugin, loadPlugins } from './load-plugins.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const fixtures = resolve(root, 'test/fixtures');

describe('plugin loading', () => {
  it('loads a third-party plugin by path, outside the workspace', async () => {
    const [loaded] = await loadPlugins(['./third-party-plugin'], { dirs: [fixtures] });
    expect(loaded!.plugin.id).toBe('hello');
    expect(loaded!.source).toBe('path');
    expect(loaded!.plugin.kind).toBe('protocol');
  });

  it('refuses a plugin built for an incompatible API, naming plugin, versions and what to do', async () => {
    await expect(loadPlugins(['./old-api-plugin'], { dirs: [fixtures] })).rejects.toThrow(
      new RegExp(`plugin "old" 0\\.9\\.0 .*built for plugin API \\^0\\.3\\.0, but this wildtls provides plugin API ${PLUGIN_API_VERSION.replace(/\./g, '\\.')}\\. Install a release of the plugin built for API 1\\.x`),
    );
  });

  it('says where it looked for a plugin that is not installed', async () => {
    await expect(loadPlugins(['@nobody/wildtls-missing'], { dirs: [fixtures] })).rejects.toMatchObject({
      code: 'WILDTLS_ERR_PLUGIN_NOT_FOUND',
      message: expect.stringContaining('npm install @nobody/wildtls-missing'),
    });
    await expect(loadPlugins(['./nope'], { dirs: [fixtures] })).rejects.toMatchObject({ code: 'WILDTLS_ERR_PLUGIN_NOT_FOUND' });
  });

  it('rejects objects that are not plugins, with the reason', () => {
    expect(() => checkPlugin({ kind: 'widget', id: 'x', version: '1', api: '^1.0.0' }, 'x')).toThrow(/kind must be one of/);
    expect(() => checkPlugin({ kind: 'protocol', id: 'x', version: '1', api: '^1.0.0', services: [] }, 'x')).toThrow(/at least one service/);
    expect(() => checkPlugin({ kind: 'sink', id: 'Bad Id', version: '1', api: '^1.0.0', create() {} }, 'x')).toThrow(/lower-case/);
    expect(() => checkPlugin({ kind: 'sink', id: 'ok', version: '1', api: 'whenever', create() {} }, 'x')).toThrow(/semver range/);
  });

  it('rejects two plugins with the same id', async () => {
    await expect(loadPlugins(['./third-party-plugin', './third-party-plugin/index.js'], { dirs: [fixtures] })).rejects.toMatchObject({ code: 'WILDTLS_ERR_PLUGIN_DUPLICATE' });
  });
});

describe('plugins left out by their manifest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wildtls-defer-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  /** A plugin package whose module marks globalThis when it is imported. */
  const pkg = (name: string, manifest: unknown, plugin: { kind: string; id: string }) => {
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(join(dir, name, 'package.json'), JSON.stringify({ name, type: 'module', main: 'index.js', ...(manifest === undefined ? {} : { wildtlsPlugin: manifest }) }));
    writeFileSync(join(dir, name, 'index.js'), `globalThis.wildtlsImported = [...(globalThis.wildtlsImported ?? []), ${JSON.stringify(name)}];\nexport default { kind: ${JSON.stringify(plugin.kind)}, id: ${JSON.stringify(plugin.id)}, version: '1.0.0', api: '^1.0.0', create() { return {}; } };\n`);
    return `./${name}`;
  };
  const imported = () => (globalThis as { wildtlsImported?: string[] }).wildtlsImported ?? [];
  const lazy = pkg('lazy-analysis', { id: 'lazy', kind: 'analysis' }, { kind: 'analysis', id: 'lazy' });
  const plain = pkg('plain-analysis', undefined, { kind: 'analysis', id: 'plain' });
  const analyses = (m: { kind: string }) => m.kind === 'analysis';

  it('does not import a plugin with a manifest that defer picks, and imports one without a manifest', async () => {
    const loaded = await loadPlugins([lazy, plain], { dirs: [dir], defer: analyses });
    expect(loaded.map((l) => l.plugin.id)).toEqual(['plain']);
    expect(imported()).toEqual(['plain-analysis']);
    const all = await loadPlugins([lazy, plain], { dirs: [dir] });
    expect(all.map((l) => l.plugin.id)).toEqual(['lazy', 'plain']);
    expect(imported()).toContain('lazy-analysis');
  });

  it('refuses a manifest that is not what the module exports, or that is malformed', async () => {
    const liar = pkg('liar', { id: 'other', kind: 'analysis' }, { kind: 'analysis', id: 'liar' });
    await expect(loadPlugins([liar], { dirs: [dir] })).rejects.toMatchObject({ code: 'WILDTLS_ERR_PLUGIN_INVALID', message: expect.stringContaining('says analysis "other" but the module exports analysis "liar"') });
    const bad = pkg('bad-manifest', { id: 'bad', kind: 'widget' }, { kind: 'analysis', id: 'bad' });
    await expect(loadPlugins([bad], { dirs: [dir], defer: analyses })).rejects.toMatchObject({ code: 'WILDTLS_ERR_PLUGIN_INVALID', message: expect.stringContaining('"wildtlsPlugin" must be') });
  });

  it('still refuses two plugins with the same id when one of them is left out', async () => {
    const twin = pkg('twin', undefined, { kind: 'analysis', id: 'lazy' });
    await expect(loadPlugins([lazy, twin], { dirs: [dir], defer: analyses })).rejects.toMatchObject({ code: 'WILDTLS_ERR_PLUGIN_DUPLICATE' });
  });
});
