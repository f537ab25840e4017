import type { TlsInfo } from '../record/tls-schema.js';

const q = JSON.stringify;

/** `"key":` of each key seen. */
const keyTexts = new Map<string, string>();

/**
 * JSON.stringify(tls), exactly, for a passive record's line: each key's value serialized on its own,
 * booleans and numbers written here, and the {id, name} parts a server sends the same way on every
 * connection remembered: `cipherSuite`'s text per suite, `serverExtensions`' per list (most of what
 * JSON.stringify spent on `tls`).
 */
export function tlsJson(tls: TlsInfo): string {
  let text = '';
  for (const key of Object.keys(tls)) {
    const value = (tls as Record<string, unknown>)[key];
    let valueText: string | undefined;
    if (typeof value === 'boolean') valueText = value ? 'true' : 'false';
    else if (typeof value === 'number') valueText = Number.isFinite(value) ? `${value}` : 'null';
    else if (key === 'serverExtensions') valueText = extensionsJson(value);
    else if (key === 'cipherSuite') valueText = idNameJson(value);
    else valueText = q(value);
    if (valueText === undefined) continue; // undefined (a function, a symbol): JSON leaves the key out
    let keyText = keyTexts.get(key);
    if (keyText === undefined) keyTexts.set(key, (keyText = `${q(key)}:`));
    text += `${text === '' ? '{' : ','}${keyText}${valueText}`;
  }
  return text === '' ? '{}' : `${text}}`;
}

/** The text of {id, name} objects seen, by id (a suite's name is the same on every connection). */
const idNames = new Map<number, { name: string; text: string }>();

function idNameJson(value: unknown): string | undefined {
  if (!isIdName(value)) return q(value);
  const k = idNames.get(value.id);
  if (k !== undefined && k.name === value.name) return k.text;
  const text = q(value);
  if (idNames.size >= MAX_KNOWN) idNames.clear();
  idNames.set(value.id, { name: value.name, text });
  return text;
}

/** A list of {id, name} seen before and its text. */
interface Known {
  ids: number[];
  names: string[];
  text: string;
}

/** Lists seen, by a hash of their ids; cleared when this many are held (memory stays bounded). */
const known = new Map<number, Known[]>();
let knownCount = 0;
const MAX_KNOWN = 1024;

/** An object whose own keys are exactly `id` (a number) then `name` (a string), as JSON sees it. */
function isIdName(e: unknown): e is { id: number; name: string } {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) return false;
  const o = e as { id?: unknown; name?: unknown; toJSON?: unknown };
  if (typeof o.id !== 'number' || typeof o.name !== 'string' || o.toJSON !== undefined) return false;
  let n = 0;
  for (const k in o) {
    if (!Object.hasOwn(o, k)) continue;
    if ((n === 0 && k !== 'id') || (n === 1 && k !== 'name')) return false;
    n++;
  }
  return n === 2;
}

function extensionsJson(value: unknown): string | undefined {
  if (!Array.isArray(value)) return q(value);
  const list = value as unknown[];
  let h = list.length;
  for (const e of list) {
    if (!isIdName(e)) return q(list);
    h = Math.imul(h ^ e.id, 0x01000193);
  }
  return remembered(h, list as Array<{ id: number; name: string }>);
}

function remembered(h: number, value: Array<{ id: number; name: string }>): string {
  const bucket = known.get(h);
  if (bucket) {
    for (const k of bucket) if (sameList(k, value)) return k.text;
  }
  const text = q(value);
  const entry: Known = { ids: value.map((e) => e.id), names: value.map((e) => e.name), text };
  if (knownCount >= MAX_KNOWN) {
    known.clear();
    knownCount = 0;
    known.set(h, [entry]);
  } else if (bucket) bucket.push(entry);
  else known.set(h, [entry]);
  knownCount++;
  return text;
}

function sameList(k: Known, list: Array<{ id: number; name: string }>): boolean {
  if (k.ids.length !== list.length) return false;
  for (let i = 0; i < list.length; i++) if (k.ids[i] !== list[i]!.id || k.names[i] !== list[i]!.name) return false;
  return true;
}
