import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import type { ProtocolPlugin } from '../plugin/api.js';
import { loadConfigFile } from './load-config.js';
import { validateConfig } from './validate-config.js';

const plugin: ProtocolPlugin = {
  kind: 'protocol',
  id: 'smtp',
  version: '1.0.0',
  api: '^1.0.0',
  configSchema: Type.Object({ ehloName: Type.String({ default: 'scanner.invalid' }) }, { additionalProperties: false }),
  services: [{ name: 'smtp', defaultPort: 25, mode: 'starttls', dialog: async () => 'success' }],
};

function write(yaml: string, name = 'wildtls.config.yaml'): string {
  const dir = mkdtempSync(join(tmpdir(), 'wildtls-cfg-'));
  writeFileSync(join(dir, name), yaml);
  return dir;
}

describe('config', () => {
  it('finds wildtls.config.yaml and .wildtlsrc.yaml and fills defaults', async () => {
    for (const name of ['wildtls.config.yaml', '.wildtlsrc.yaml', '.wildtlsrc.yml']) {
      const dir = write('scan:\n  protocols: [smtp]\n  rate: 50\n', name);
      const loaded = await loadConfigFile({ cwd: dir });
      expect(loaded.filepath).toBe(join(dir, name));
      const cfg = validateConfig(loaded.raw, [plugin], loaded);
      expect(cfg.scan.rate).toBe(50);
      expect(cfg.scan.concurrency).toBe(100);
      expect(cfg.scan.timeout.connect).toBe(5000);
      expect(cfg.tls.profile).toBe('study');
      expect(cfg.tls.fallback).toEqual(['compat', 'ssl3']);
      expect((cfg.options as Record<string, { ehloName: string }>).smtp!.ehloName).toBe('scanner.invalid');
    }
  });

  it('an empty fallback list in the file switches the ladder off (the default is not filled back in)', async () => {
    const dir = write('tls:\n  fallback: []\n', 'wildtls.config.yaml');
    const loaded = await loadConfigFile({ cwd: dir });
    expect(validateConfig(loaded.raw, [plugin], loaded).tls.fallback).toEqual([]);
  });

  it('names the file, the key path, the line and what was expected', async () => {
    const dir = write('scan:\n  protocols: [smtp]\n  rate: fast\n  colour: blue\nlog:\n  level: loud\n');
    const loaded = await loadConfigFile({ cwd: dir });
    let message = '';
    try {
      validateConfig(loaded.raw, [plugin], loaded);
    } catch (err) {
      message = (err as Error).message;
      expect((err as { code: string }).code).toBe('WILDTLS_ERR_CONFIG_INVALID');
    }
    expect(message).toContain(join(dir, 'wildtls.config.yaml'));
    expect(message).toMatch(/scan\.rate \(line 3\): expected number/);
    expect(message).toMatch(/scan\.colour \(line 4\): unknown key "colour"/);
    expect(message).toMatch(/log\.level \(line 6\): expected one of/);
  });

  it('validates plugin sections and rejects sections of plugins that are not loaded', async () => {
    const dir = write('options:\n  smtp:\n    ehloName: 42\n  imap:\n    tag: x\n');
    const loaded = await loadConfigFile({ cwd: dir });
    expect(() => validateConfig(loaded.raw, [plugin], loaded)).toThrow(/options\.smtp\.ehloName \(line 3\): expected string/);
    expect(() => validateConfig(loaded.raw, [plugin], loaded)).toThrow(/options\.imap.*no loaded plugin has the id "imap"/);
  });

  it('reports YAML syntax errors with the position', async () => {
    const dir = write('scan:\n  protocols: [smtp\n  rate: 1\n');
    await expect(loadConfigFile({ cwd: dir })).rejects.toThrow(/wildtls\.config\.yaml:\d+:\d+: invalid YAML/);
  });

  it('says when an explicit config file does not exist', async () => {
    await expect(loadConfigFile({ file: '/nonexistent/wildtls.yaml' })).rejects.toThrow(/config file not found/);
  });

  it('checks shard against shards', () => {
    expect(() => validateConfig({ scan: { shards: 2, shard: 2 } }, [])).toThrow(/scan\.shard: must be below scan\.shards/);
  });
});
