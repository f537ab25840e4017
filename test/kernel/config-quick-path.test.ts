import { describe, expect, it } from 'vitest';
import { loadPlugins, type WildtlsPlugin } from '@wildtls/core';
import { BUILTIN_PLUGINS } from '../../packages/cli/src/builtins.js';
import { CLI_DIR } from '../../packages/cli/src/load-run.js';
import { quickValidate, validateConfig, validateWithAjv } from '../../packages/core/dist/config/validate-config.js';

// The quick path (TypeBox's interpreter) must give exactly the config Ajv gives, or step aside.
const valid: Array<Record<string, unknown>> = [
  {},
  { scan: { protocols: ['smtp'], rate: 50 } },
  { scan: { protocols: ['tls'], ports: [4433], concurrency: 7, timeout: { connect: 100 } }, tls: { fallback: [], profile: 'modern' } },
  { tls: { profiles: { mine: { versions: ['TLSv1.2'] } } }, output: { path: 'x.jsonl', gzip: true }, log: { level: 'debug' } },
  { analyses: ['crypto', 'sasl'], options: { smtp: { ehloName: 'scanner.example' } } },
  { scan: { source: 'ipv4-all', shards: 4, shard: 3, seed: 7, checkpoint: 'c.ckpt', progress: 'off' } },
  { tls: { keyShareReuse: { handshakes: 1 } } },
];
const invalid: Array<Record<string, unknown>> = [
  { scan: { rate: 'fast' } },
  { scan: { colour: 'blue' } },
  { log: { level: 'loud' } },
  { options: { nosuch: {} } },
  { options: { smtp: { ehloName: 5 } } },
  { tls: { fallback: 'compat' } },
  { tls: { keyShareReuse: { handshakes: 0 } } },
];

describe('config validation: quick path and Ajv agree', async () => {
  const loaded = await loadPlugins([...BUILTIN_PLUGINS], { dirs: [CLI_DIR], builtinDir: CLI_DIR, builtins: BUILTIN_PLUGINS });
  const plugins: WildtlsPlugin[] = loaded.map((l) => l.plugin);

  it('valid configs: the quick path answers, with the very config Ajv fills', () => {
    for (const raw of valid) {
      const quick = quickValidate(raw, plugins);
      expect(quick, JSON.stringify(raw)).toBeDefined();
      expect(quick).toEqual(validateWithAjv(raw, plugins));
      expect(validateConfig(raw, plugins)).toEqual(quick);
    }
  });

  it('invalid configs: the quick path steps aside, and Ajv says what is wrong', () => {
    for (const raw of invalid) {
      expect(quickValidate(raw, plugins), JSON.stringify(raw)).toBeUndefined();
      expect(() => validateConfig(raw, plugins), JSON.stringify(raw)).toThrow(/invalid configuration/);
    }
  });

  it('a plugin whose schema is plain JSON Schema goes to Ajv, which still validates its section', () => {
    const plain: WildtlsPlugin = { ...plugins[0]!, id: 'plain', configSchema: { type: 'object', properties: { n: { type: 'number', default: 3 } }, additionalProperties: false } } as WildtlsPlugin;
    expect(quickValidate({}, [...plugins, plain])).toBeUndefined();
    expect((validateConfig({}, [...plugins, plain]).options as Record<string, { n: number }>).plain!.n).toBe(3);
    expect(() => validateConfig({ options: { plain: { n: 'x' } } }, [...plugins, plain])).toThrow(/options\.plain\.n/);
  });
});
