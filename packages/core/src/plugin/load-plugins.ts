import { pathToFileURL } from 'node:url';
import semver from 'semver';
import { WildtlsError } from '../errors.js';
import { PLUGIN_API_VERSION, type PluginKind, type WildtlsPlugin } from './api.js';
import { readPackageJson, resolvePlugin, type PluginSource } from './resolve-plugin.js';

const KINDS: readonly PluginKind[] = ['protocol', 'analysis', 'sink', 'target-source'];

export interface LoadedPlugin {
  plugin: WildtlsPlugin;
  spec: string;
  source: PluginSource;
  entry: string;
}

export interface LoadPluginsOptions {
  /** Folders to resolve package names from, in order (config folder, cwd). Paths resolve against the first. */
  dirs: string[];
  /** Folder whose node_modules holds the built-in plugins (the CLI's). */
  builtinDir?: string;
  /** Specs that make up the default list (reported as built-in). */
  builtins?: readonly string[];
  /**
   * Leave out, without importing it, a plugin whose package.json declares its
   * manifest ("wildtlsPlugin": { "id", "kind" }) when this says so: a command
   * that will not run it need not pay for loading its code (a one-target scan
   * and the analysis plugins). A plugin without a manifest is always loaded.
   */
  defer?: (manifest: PluginManifest) => boolean;
}

/** What a plugin package says about itself in package.json's "wildtlsPlugin", readable without importing it. */
export interface PluginManifest {
  id: string;
  kind: PluginKind;
}

/** The package's "wildtlsPlugin" manifest, undefined when it has none; a malformed one is an error naming it. */
export function readPluginManifest(packageDir: string, spec: string): PluginManifest | undefined {
  return pluginManifest(readPackageJson(packageDir), spec);
}

/** The "wildtlsPlugin" manifest of a parsed package.json (see readPluginManifest). */
function pluginManifest(packageJson: Record<string, unknown>, spec: string): PluginManifest | undefined {
  const m = packageJson.wildtlsPlugin as Partial<PluginManifest> | undefined;
  if (m === undefined) return undefined;
  if (!m || typeof m.id !== 'string' || !KINDS.includes(m.kind as PluginKind)) {
    throw new WildtlsError('WILDTLS_ERR_PLUGIN_INVALID', `plugin "${spec}" is not a wildtls plugin: its package.json's "wildtlsPlugin" must be { "id": "...", "kind": "${KINDS.join('" | "')}" }, got ${JSON.stringify(m)}.`);
  }
  return { id: m.id, kind: m.kind as PluginKind };
}

/** Check a module's export against the plugin contract; coded errors say what to do. */
export function checkPlugin(candidate: unknown, spec: string): WildtlsPlugin {
  const p = candidate as Partial<WildtlsPlugin> | undefined;
  const bad = (why: string) =>
    new WildtlsError('WILDTLS_ERR_PLUGIN_INVALID', `plugin "${spec}" is not a wildtls plugin: ${why}. A plugin module exports one plugin object (default export or "plugin") made with defineProtocolPlugin/defineAnalysisPlugin/defineSinkPlugin/defineTargetSourcePlugin from @wildtls/core.`);
  if (!p || typeof p !== 'object') throw bad('it exports no plugin object');
  if (!KINDS.includes(p.kind as PluginKind)) throw bad(`kind must be one of ${KINDS.join(', ')}, got ${JSON.stringify(p.kind)}`);
  if (typeof p.id !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/.test(p.id)) throw bad(`id must be a lower-case name, got ${JSON.stringify(p.id)}`);
  if (typeof p.version !== 'string') throw bad('version is missing');
  if (typeof p.api !== 'string' || !semver.validRange(p.api)) throw bad(`api must be a semver range of the plugin API it was built for (e.g. "^1.0.0"), got ${JSON.stringify(p.api)}`);
  if (!semver.satisfies(PLUGIN_API_VERSION, p.api)) {
    throw new WildtlsError(
      'WILDTLS_ERR_PLUGIN_API',
      `plugin "${p.id}" ${p.version} (${spec}) was built for plugin API ${p.api}, but this wildtls provides plugin API ${PLUGIN_API_VERSION}. ` +
        `Install a release of the plugin built for API ${semver.major(PLUGIN_API_VERSION)}.x, or a wildtls whose plugin API satisfies ${p.api}.`,
    );
  }
  if (p.kind === 'protocol') {
    const services = (p as { services?: unknown }).services;
    if (!Array.isArray(services) || services.length === 0) throw bad('a protocol plugin declares at least one service');
    for (const s of services as Array<Record<string, unknown>>) {
      if (typeof s.name !== 'string' || typeof s.defaultPort !== 'number' || (s.mode !== 'starttls' && s.mode !== 'implicit') || typeof s.dialog !== 'function') {
        throw bad(`service ${JSON.stringify(s?.name)} needs name, defaultPort, mode ("starttls" or "implicit") and a dialog function`);
      }
    }
  } else if (typeof (p as { create?: unknown }).create !== 'function') {
    throw bad(`a ${p.kind} plugin has a create() function`);
  }
  return p as WildtlsPlugin;
}

/** Resolve, import and check each named plugin, in order (those options.defer leaves out are resolved, not imported). */
export async function loadPlugins(specs: readonly string[], options: LoadPluginsOptions): Promise<LoadedPlugin[]> {
  const loaded: LoadedPlugin[] = [];
  const ids = new Map<string, string>();
  for (const spec of specs) {
    const resolved = resolvePlugin(spec, { dirs: options.dirs, builtinDir: options.builtinDir });
    if (!resolved) {
      throw new WildtlsError(
        'WILDTLS_ERR_PLUGIN_NOT_FOUND',
        `plugin "${spec}" not found: looked for ${/^[.~/]/.test(spec) ? `the path ${spec} relative to ${options.dirs[0]}` : `the package in node_modules above ${options.dirs.join(', ')}`}. Install it (npm install ${spec}) or fix the name in the plugins list.`,
      );
    }
    const manifest = resolved.packageJson ? pluginManifest(resolved.packageJson, spec) : undefined;
    if (manifest && options.defer?.(manifest)) {
      const clash = ids.get(manifest.id);
      if (clash) throw new WildtlsError('WILDTLS_ERR_PLUGIN_DUPLICATE', `plugins "${clash}" and "${spec}" both have the id "${manifest.id}"; remove one from the plugins list.`);
      ids.set(manifest.id, spec);
      continue;
    }
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(resolved.entry).href)) as Record<string, unknown>;
    } catch (err) {
      throw new WildtlsError('WILDTLS_ERR_PLUGIN_INVALID', `plugin "${spec}" failed to load from ${resolved.entry}: ${(err as Error).message}`, { cause: err });
    }
    const plugin = checkPlugin(mod.default ?? mod.plugin, spec);
    if (manifest && (manifest.id !== plugin.id || manifest.kind !== plugin.kind)) {
      throw new WildtlsError('WILDTLS_ERR_PLUGIN_INVALID', `plugin "${spec}" is not a wildtls plugin: its package.json's "wildtlsPlugin" says ${manifest.kind} "${manifest.id}" but the module exports ${plugin.kind} "${plugin.id}"; make them the same.`);
    }
    const clash = ids.get(plugin.id);
    if (clash) throw new WildtlsError('WILDTLS_ERR_PLUGIN_DUPLICATE', `plugins "${clash}" and "${spec}" both have the id "${plugin.id}"; remove one from the plugins list.`);
    ids.set(plugin.id, spec);
    const source = resolved.source === 'built-in' || options.builtins?.includes(spec) && resolved.source !== 'path' ? 'built-in' : resolved.source;
    loaded.push({ plugin, spec, source, entry: resolved.entry });
  }
  return loaded;
}
