import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
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
