import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  PluginRegistry,
  createLogger,
  loadConfigFile,
  loadPlugins,
  validateConfig,
  type LoadedPlugin,
  type LogFormat,
  type LogSettings,
  type PluginManifest,
  type WildtlsConfig,
} from '@wildtls/core';
import type { Logger } from 'pino';
import { BUILTIN_PLUGINS } from './builtins.js';

/** The CLI package's folder: its node_modules holds the built-in plugins. */
export const CLI_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface RunSetup {
  config: WildtlsConfig;
  configFile?: string;
  registry: PluginRegistry;
  loaded: LoadedPlugin[];
  logger: Logger;
}

let cliLogFormat: LogFormat | undefined;
/** The global --log-format of this process's command (set when it parses its flags; see base-command.ts). */
export function setLogFormat(format: LogFormat): void {
  cliLogFormat = format;
}

/** Deep-merge CLI overrides onto the file's config (objects merge, everything else replaces). */
export function mergeOverrides(base: Record<string, unknown>, overrides: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) continue;
    const b = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)
      ? mergeOverrides(b as Record<string, unknown>, v as Record<string, unknown>)
      : v;
  }
  return out;
}

/**
 * Where a key's value came from, for validation errors: a value given by
 * `--set key=value` names that flag, another command-line flag says so, and
 * only the rest points at the config file's line.
 */
export function blameOverrides(locate: ((path: string[]) => string | undefined) | undefined, overrides: Record<string, unknown>, sets: string[]): (path: string[]) => string | undefined {
  return (path) => {
    const dotted = path.join('.');
    const set = [...sets].reverse().find((a) => {
      const key = a.slice(0, a.indexOf('='));
      return dotted === key || dotted.startsWith(`${key}.`) || key.startsWith(`${dotted}.`);
    });
    if (set) return `--set ${set}`;
    let node: unknown = overrides;
    for (const key of path) {
      if (!node || typeof node !== 'object' || Array.isArray(node) || !(key in node)) return locate?.(path);
      node = (node as Record<string, unknown>)[key];
    }
    return 'from a command-line flag';
  };
}

/**
 * With `deferAnalyses` (a local scan): the analysis plugins that declare a
 * manifest are not imported when no analysis runs live and the config has no
 * section for them; importing them all was a tenth of a one-target scan's
 * start-up. Any analysis named runs with every analysis plugin loaded, as
 * before: one may use what another registers (reuse and ca-practice's chain
 * classifier).
 */
function analysisDeferral(raw: Record<string, unknown>): ((m: PluginManifest) => boolean) | undefined {
  if (Array.isArray(raw.analyses) && raw.analyses.length > 0) return undefined;
  if (raw.analyses !== undefined && !Array.isArray(raw.analyses)) return undefined;
  const sections = raw.options && typeof raw.options === 'object' ? Object.keys(raw.options) : [];
  return (m) => m.kind === 'analysis' && !sections.includes(m.id);
}

/**
 * Find the config, load the plugins it names (or the built-in list), validate
 * the config against core's and the plugins' schemas, and make the logger.
 */
export async function loadRun(opts: { configFile?: string; overrides?: Record<string, unknown>; sets?: string[]; logLevel?: string; cwd?: string; ignoreConfigFiles?: boolean; deferAnalyses?: boolean }): Promise<RunSetup> {
  const cwd = opts.cwd ?? process.cwd();
  const file = opts.ignoreConfigFiles ? { raw: {}, filepath: undefined, locate: () => undefined } : await loadConfigFile({ file: opts.configFile, cwd });
  const raw = mergeOverrides(file.raw, opts.overrides ?? {});
  const specs = (Array.isArray(raw.plugins) ? (raw.plugins as unknown[]) : BUILTIN_PLUGINS).map(String);
  const configDir = file.filepath ? dirname(file.filepath) : cwd;
  const defer = opts.deferAnalyses ? analysisDeferral(raw) : undefined;
  const loaded = await loadPlugins(specs, { dirs: [configDir, cwd], builtinDir: CLI_DIR, builtins: BUILTIN_PLUGINS, ...(defer ? { defer } : {}) });
  const config = validateConfig(raw, loaded.map((l) => l.plugin), { filepath: file.filepath, locate: blameOverrides(file.locate, opts.overrides ?? {}, opts.sets ?? []) });
  if (opts.logLevel) config.log.level = opts.logLevel as WildtlsConfig['log']['level'];
  if (cliLogFormat) config.log.format = cliLogFormat;
  const logger = createLogger({ level: config.log.level as LogSettings['level'], file: config.log.file, format: config.log.format });
  return { config, configFile: file.filepath, registry: new PluginRegistry(loaded), loaded, logger };
}
