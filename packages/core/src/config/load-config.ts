import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Loader } from 'cosmiconfig';
import type * as YamlModule from 'yaml';
import { WildtlsError } from '../errors.js';

// cosmiconfig and yaml (about 90 modules with their dependencies) load only
// when there is a config file to read: not at every command's start-up.
const requireHere = createRequire(import.meta.url);
const yamlModule = (): typeof YamlModule => requireHere('yaml') as typeof YamlModule;

export const CONFIG_SEARCH_PLACES = [
  'wildtls.config.yaml',
  'wildtls.config.yml',
  '.wildtlsrc.yaml',
  '.wildtlsrc.yml',
  '.wildtlsrc',
  '.wildtlsrc.json',
  'wildtls.config.json',
  'package.json',
];

export interface LoadedConfig {
  /** The raw (unvalidated) object, {} when no file was found. */
  raw: Record<string, unknown>;
  /** Absolute path of the file read, if any. */
  filepath?: string;
  /** Where a key path is written in the file, for error messages. */
  locate: (path: string[]) => string | undefined;
}

const documents = new WeakMap<object, { doc: YamlModule.Document; lines: YamlModule.LineCounter }>();

const yamlLoader: Loader = (filepath, content) => {
  const { LineCounter, parseDocument } = yamlModule();
  const lines = new LineCounter();
  const doc = parseDocument(content, { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = e.linePos?.[0];
    throw new WildtlsError('WILDTLS_ERR_CONFIG_PARSE', `${filepath}${pos ? `:${pos.line}:${pos.col}` : ''}: invalid YAML: ${e.message.split('\n')[0]}`);
  }
  const value: unknown = doc.toJS() ?? {};
  if (typeof value === 'object' && value !== null) documents.set(value, { doc, lines });
  return value;
};

const explorer = async () =>
  (await import('cosmiconfig')).cosmiconfig('wildtls', {
    searchPlaces: CONFIG_SEARCH_PLACES,
    loaders: { '.yaml': yamlLoader, '.yml': yamlLoader, noExt: yamlLoader },
    searchStrategy: 'none',
  });

/** Find and read the config: the given file, or the first of the search places in `cwd`. */
export async function loadConfigFile(options: { file?: string; cwd?: string }): Promise<LoadedConfig> {
  // No candidate file in the folder: what a search would find, without loading cosmiconfig.
  if (!options.file && !CONFIG_SEARCH_PLACES.some((name) => existsSync(join(options.cwd ?? process.cwd(), name)))) return { raw: {}, locate: () => undefined };
  let result;
  try {
    result = options.file ? await (await explorer()).load(options.file) : await (await explorer()).search(options.cwd ?? process.cwd());
  } catch (err) {
    if (err instanceof WildtlsError) throw err;
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new WildtlsError('WILDTLS_ERR_CONFIG_NOT_FOUND', `config file not found: ${options.file}`);
    throw new WildtlsError('WILDTLS_ERR_CONFIG_PARSE', `${options.file ?? 'config'}: ${e.message}`, { cause: err });
  }
  if (!result || result.isEmpty) return { raw: {}, filepath: result?.filepath, locate: () => undefined };
  const raw = result.config as unknown;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new WildtlsError('WILDTLS_ERR_CONFIG_INVALID', `${result.filepath}: the top level must be a mapping of keys (plugins, scan, tls, output, log, options)`);
  }
  const located = documents.get(raw);
  return {
    raw: raw as Record<string, unknown>,
    filepath: result.filepath,
    locate: (path) => {
      if (!located) return undefined;
      const { isMap, isSeq } = yamlModule();
      let node: unknown = located.doc.contents;
      let found: unknown;
      for (const key of path) {
        if (isMap(node)) {
          const pair = node.items.find((p) => (p.key as { value?: unknown })?.value === key);
          if (!pair) return undefined;
          found = pair.value ?? pair.key;
          node = pair.value;
        } else if (isSeq(node)) {
          node = node.items[Number(key)];
          if (!node) return undefined;
          found = node;
        } else return undefined;
      }
      const range = (found as { range?: [number, number, number] } | undefined)?.range;
      if (!range) return undefined;
      const pos = located.lines.linePos(range[0]);
      return `line ${pos.line}`;
    },
  };
}
