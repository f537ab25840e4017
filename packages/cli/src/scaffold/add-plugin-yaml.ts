import { isMap, isScalar, isSeq, parseDocument, type YAMLMap } from 'yaml';

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

/**
 * Append a plugin to a YAML config's `plugins` list, keeping comments and
 * layout (yaml's Document API). With no list, the list is created (at the top)
 * from the default plugins first, since listing plugins replaces the default.
 */
export function addPluginToYaml(text: string, spec: string, defaults: readonly string[]): AddPluginResult {
  const doc = parseDocument(text);
  if (doc.errors.length) throw new Error(doc.errors[0]!.message);
  if (doc.contents == null) doc.contents = doc.createNode({}) as never;
  if (!isMap(doc.contents)) throw new Error('the config is not a YAML mapping');
  const node = doc.get('plugins');
  if (isSeq(node)) {
    const current = itemsOf(node);
    if (current.includes(spec)) return { text, added: false, plugins: current };
    node.add(doc.createNode(spec));
    return { text: doc.toString(), added: true, plugins: [...current, spec] };
  }
  if (node != null) throw new Error('"plugins" is not a list');
  const plugins = [...defaults, spec];
  const map = doc.contents as YAMLMap;
  const at = map.items.findIndex((p) => (isScalar(p.key) ? p.key.value : p.key) === 'plugins');
  const pair = doc.createPair('plugins', plugins);
  if (isScalar(pair.key)) pair.key.commentBefore = ' Plugins to load: npm names or paths relative to this file (the built-in list, then yours).';
  if (at >= 0) map.items.splice(at, 1, pair as never);
  else map.items.unshift(pair as never);
  return { text: doc.toString(), added: true, plugins };
}
