import { isMap, isScalar, isSeq, parseDocument, type Document, type YAMLMap } from 'yaml';

export interface AddPluginResult {
  text: string;
  /** False when the spec was already listed (text unchanged). */
  added: boolean;
  /** The plugins list after the change. */
  plugins: string[];
}

function itemsOf(seq: { items: unknown[] }): string[] {
  return seq.items.map((i) => String(isScalar(i) ? i.value : i));
}

/** Parse a config for editing; throws when it is not a YAML mapping. */
function editable(text: string): Document {
  const doc = parseDocument(text);
  if (doc.errors.length) throw new Error(doc.errors[0]!.message);
  if (doc.contents == null) doc.contents = doc.createNode({}) as never;
  if (!isMap(doc.contents)) throw new Error('the config is not a YAML mapping');
  return doc;
}

/** Write a new `plugins` list (at the top, or where the key was), with a comment saying what it means. */
function writeList(doc: Document, plugins: string[]): string {
  const map = doc.contents as YAMLMap;
  const at = map.items.findIndex((p) => (isScalar(p.key) ? p.key.value : p.key) === 'plugins');
  const pair = doc.createPair('plugins', plugins);
  if (isScalar(pair.key)) pair.key.commentBefore = ' Plugins to load: npm names or paths relative to this file (the built-in list, then yours).';
  if (at >= 0) map.items.splice(at, 1, pair as never);
  else map.items.unshift(pair as never);
  return doc.toString();
}

/**
 * Append a plugin to a YAML config's `plugins` list, keeping comments and
 * layout (yaml's Document API). With no list, the list is created (at the top)
 * from the default plugins first, since listing plugins replaces the default.
 */
export function addPluginToYaml(text: string, spec: string, defaults: readonly string[]): AddPluginResult {
  const doc = editable(text);
  const node = doc.get('plugins');
  if (isSeq(node)) {
    const current = itemsOf(node);
    if (current.includes(spec)) return { text, added: false, plugins: current };
    node.add(doc.createNode(spec));
    return { text: doc.toString(), added: true, plugins: [...current, spec] };
  }
  if (node != null) throw new Error('"plugins" is not a list');
  const plugins = [...defaults, spec];
  return { text: writeList(doc, plugins), added: true, plugins };
}

/** The plugins list in force for a config: its own list, or the defaults when it has none. */
export function listedPlugins(text: string, defaults: readonly string[]): string[] {
  const node = editable(text).get('plugins');
  if (isSeq(node)) return itemsOf(node);
  if (node != null) throw new Error('"plugins" is not a list');
  return [...defaults];
}

export interface RemovePluginResult {
  text: string;
  /** False when the spec was not listed (text unchanged). */
  removed: boolean;
  /** The plugins list after the change (the defaults when the config has no list and nothing was removed). */
  plugins: string[];
}

/**
 * The inverse of addPluginToYaml: drop one entry of the `plugins` list, keeping
 * the other entries' comments. With no list, the defaults are in force: removing
 * one of them writes the list of the others.
 */
export function removePluginFromYaml(text: string, spec: string, defaults: readonly string[]): RemovePluginResult {
  const doc = editable(text);
  const node = doc.get('plugins');
  if (isSeq(node)) {
    const current = itemsOf(node);
    const at = current.indexOf(spec);
    if (at < 0) return { text, removed: false, plugins: current };
    node.items.splice(at, 1);
    return { text: doc.toString(), removed: true, plugins: current.filter((_, i) => i !== at) };
  }
  if (node != null) throw new Error('"plugins" is not a list');
  if (!defaults.includes(spec)) return { text, removed: false, plugins: [...defaults] };
  const plugins = defaults.filter((d) => d !== spec);
  return { text: writeList(doc, plugins), removed: true, plugins };
}
