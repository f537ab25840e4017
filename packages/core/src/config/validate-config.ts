import { createRequire } from 'node:module';
import type { Ajv as AjvClass, ErrorObject } from 'ajv';
import { Kind, type TSchema } from '@sinclair/typebox';
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
  const quick = quickValidate(raw, plugins);
  return checkShards(quick ?? validateWithAjv(raw, plugins, source), source);
}

/** The reference path: Ajv compiles the assembled schema, fills defaults, and says what is wrong. */
export function validateWithAjv(
  raw: Record<string, unknown>,
  plugins: readonly WildtlsPlugin[],
  source: { filepath?: string; locate?: (path: string[]) => string | undefined } = {},
): WildtlsConfig {
  const schema = assembleConfigSchema(plugins);
  const data = structuredClone(raw);
  // Nested objects need their defaults filled even when the parent key is missing.
  const withDefaults = Value.Default(schema as never, data) as Record<string, unknown>;
  // Loaded only here: Ajv's modules alone cost tens of ms of start-up.
  const { Ajv } = createRequire(import.meta.url)('ajv') as { Ajv: typeof AjvClass };
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, coerceTypes: false });
  const validate = ajv.compile(schema);
  if (!validate(withDefaults)) {
    const lines = (validate.errors ?? []).filter(relevant).map((e) => describe(e, source));
    const where = source.filepath ?? 'the settings (no config file)';
    throw new WildtlsError('WILDTLS_ERR_CONFIG_INVALID', `invalid configuration in ${where}:\n${[...new Set(lines)].map((l) => `  - ${l}`).join('\n')}`);
  }
  return withDefaults as unknown as WildtlsConfig;
}

/**
 * The quick path: TypeBox's interpreter fills the defaults and checks core's
 * schema, then each plugin's section. Compiling the assembled schema with Ajv
 * costs about a quarter of a one-target scan's start-up, and a valid config
 * is the usual case. Anything it cannot judge (a plugin schema that is plain
 * JSON Schema, an unregistered format, an invalid config, an exception) gives
 * undefined and Ajv decides and explains; test/kernel/config-quick-path.test.ts
 * checks both paths give the same config.
 */
export function quickValidate(raw: Record<string, unknown>, plugins: readonly WildtlsPlugin[]): WildtlsConfig | undefined {
  try {
    if (plugins.some((p) => p.configSchema && !(Kind in p.configSchema))) return undefined;
    const data = Value.Default(CoreConfigSchema, structuredClone(raw)) as Record<string, unknown>;
    if (!Value.Check(CoreConfigSchema, data)) return undefined;
    const options = data.options as Record<string, unknown>;
    const ids = new Set(plugins.map((p) => p.id));
    if (Object.keys(options).some((k) => !ids.has(k))) return undefined;
    for (const p of plugins) {
      const section = options[p.id] ?? {};
      if (!section || typeof section !== 'object' || Array.isArray(section)) return undefined;
      if (!p.configSchema) {
        if (Object.keys(section).length) return undefined;
        options[p.id] = section;
        continue;
      }
      const filled = Value.Default(p.configSchema as TSchema, section);
      if (!Value.Check(p.configSchema as TSchema, filled)) return undefined;
      options[p.id] = filled;
    }
    return data as unknown as WildtlsConfig;
  } catch {
    return undefined;
  }
}

function checkShards(cfg: WildtlsConfig, source: { filepath?: string }): WildtlsConfig {
  if (cfg.scan.shard >= cfg.scan.shards) {
    throw new WildtlsError('WILDTLS_ERR_CONFIG_INVALID', `invalid configuration in ${source.filepath ?? 'the settings (no config file)'}:\n  - scan.shard: must be below scan.shards (${cfg.scan.shards}), got ${cfg.scan.shard}`);
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
