import { Ajv, type ErrorObject } from 'ajv';
import { Value } from '@sinclair/typebox/value';
import { WildtlsError } from '../errors.js';
import type { WildtlsPlugin } from '../plugin/api.js';
import { CoreConfigSchema, type WildtlsConfig } from './core-schema.js';

/** Core's schema with each loaded plugin's section under `options.<id>`. */
export function assembleConfigSchema(plugins: readonly WildtlsPlugin[]): Record<string, unknown> {
  const schema = structuredClone(CoreConfigSchema) as unknown as { properties: Record<string, Record<string, unknown>> };
  const properties: Record<string, unknown> = {};
  for (const p of plugins) {
    properties[p.id] = { ...(p.configSchema ?? { type: 'object', additionalProperties: false }), default: {} };
  }
  schema.properties.options = {
    type: 'object',
    description: "Each plugin's own section, keyed by plugin id.",
    properties,
    additionalProperties: false,
    default: {},
  };
  return schema as unknown as Record<string, unknown>;
}

/**
 * Validate and fill defaults. Errors name the file, the key path, the line and
 * what was expected, one per line.
 */
export function validateConfig(
  raw: Record<string, unknown>,
  plugins: readonly WildtlsPlugin[],
  source: { filepath?: string; locate?: (path: string[]) => string | undefined } = {},
): WildtlsConfig {
  const schema = assembleConfigSchema(plugins);
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, coerceTypes: false });
  const validate = ajv.compile(schema);
  const data = structuredClone(raw);
  // Nested objects need their defaults filled even when the parent key is missing.
  const withDefaults = Value.Default(schema as never, data) as Record<string, unknown>;
  if (!validate(withDefaults)) {
    const lines = (validate.errors ?? []).filter(relevant).map((e) => describe(e, source));
    const where = source.filepath ?? 'configuration';
    throw new WildtlsError('WILDTLS_ERR_CONFIG_INVALID', `invalid configuration in ${where}:\n${[...new Set(lines)].map((l) => `  - ${l}`).join('\n')}`);
  }
  const cfg = withDefaults as unknown as WildtlsConfig;
  if (cfg.scan.shard >= cfg.scan.shards) {
    throw new WildtlsError('WILDTLS_ERR_CONFIG_INVALID', `invalid configuration in ${source.filepath ?? 'configuration'}:\n  - scan.shard: must be below scan.shards (${cfg.scan.shards}), got ${cfg.scan.shard}`);
  }
  return cfg;
}

function relevant(e: ErrorObject): boolean {
  // anyOf/union failures repeat the branch errors; keep the summary only.
  return e.keyword !== 'if';
}

function describe(e: ErrorObject, source: { locate?: (path: string[]) => string | undefined }): string {
  const path = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let keyPath = path.join('.') || '(top level)';
  let what: string;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      path.push(key);
      keyPath = path.join('.');
      what = path[0] === 'options' && path.length === 2
        ? `no loaded plugin has the id "${key}" (sections under options are keyed by plugin id; is the plugin listed under plugins?)`
        : `unknown key "${key}"`;
      break;
    }
    case 'type':
      what = `expected ${(e.params as { type: string }).type}`;
      break;
    case 'enum':
    case 'const':
      what = `expected one of ${JSON.stringify((e.params as { allowedValues?: unknown[] }).allowedValues ?? (e.params as { allowedValue?: unknown }).allowedValue)}`;
      break;
    case 'anyOf':
      what = `expected one of the allowed values${e.parentSchema?.anyOf ? ` (${(e.parentSchema.anyOf as Array<{ const?: unknown }>).map((s) => JSON.stringify(s.const)).join(', ')})` : ''}`;
      break;
    default:
      what = e.message ?? e.keyword;
  }
  const line = source.locate?.(path);
  return `${keyPath}${line ? ` (${line})` : ''}: ${what}`;
}
