import type { SessionTicket, TlsInfo } from '../record/tls-schema.js';
import { cipherSuiteName } from '../tls/cipher-suites.js';
import { extensionName } from '../tls/names.js';
import type { Extension } from '../tls/server-messages.js';

type Suite = NonNullable<TlsInfo['cipherSuite']>;
type ServerExtensions = NonNullable<TlsInfo['serverExtensions']>;
type KeyExchange = NonNullable<TlsInfo['keyExchange']>;

/**
 * The parts of a passive record's `tls` that repeat from connection to connection (a server's cipher
 * suite, its extension list, its key exchange, its certificate chain, its tickets' key name): one
 * shared, frozen object per value, its JSON text remembered by identity (`tlsJson` writes it instead of
 * serializing it again). Records of one server share these objects; frozen, no record can change another's.
 * Bounded: past MAX_PIECES objects (or MAX_CHAIN_BYTES of remembered chains) everything is forgotten and
 * made again; a piece whose text is forgotten is serialized as it is.
 */
const MAX_PIECES = 4096;
const MAX_CHAIN_BYTES = 1 << 20;

const texts = new Map<object, string>();
const suites = new Map<number, Suite>();
const extensionLists = new Map<string, ServerExtensions>();
const keyExchanges = new Map<string, KeyExchange>();
const tickets = new Map<string, SessionTicket>();
/** Chains by a key of their certificates' lengths and last bytes, with copies of the DER to check a hit against. */
const chains = new Map<string, { ders: Buffer[]; chain: string[] }>();
let chainBytes = 0;
let pieces = 0;

function remember<T extends object>(piece: T): T {
  if (++pieces > MAX_PIECES || chainBytes > MAX_CHAIN_BYTES) forget();
  texts.set(piece, JSON.stringify(piece));
  return Object.freeze(piece);
}

function forget(): void {
  texts.clear();
  suites.clear();
  extensionLists.clear();
  keyExchanges.clear();
  tickets.clear();
  chains.clear();
  chainBytes = 0;
  pieces = 1;
}

/** `{id, name}` of a cipher suite. */
export function sharedSuite(id: number): Suite {
  let s = suites.get(id);
  if (s === undefined) suites.set(id, (s = remember({ id, name: cipherSuiteName(id) })));
  return s;
}

/** The server's extensions as `[{id, name}, ...]`, in their order. */
export function sharedServerExtensions(exts: readonly Extension[]): ServerExtensions {
  let key = '';
  for (let i = 0; i < exts.length; i++) key += String.fromCharCode(exts[i]!.id);
  let list = extensionLists.get(key);
  if (list === undefined) {
    list = remember(exts.map((e) => Object.freeze({ id: e.id, name: extensionName(e.id) })));
    extensionLists.set(key, list);
  }
  return list;
}

/** `{kind, group?, bits?}`, keys in that order, each present when given. */
export function sharedKeyExchange(kind: KeyExchange['kind'], group: string | undefined, bits: number | undefined): KeyExchange {
  const key = `${kind}\u0000${group === undefined ? '-' : `+${group}`}\u0000${bits === undefined ? '-' : bits}`;
  let k = keyExchanges.get(key);
  if (k === undefined) {
    const made: KeyExchange = { kind };
    if (group !== undefined) made.group = group;
    if (bits !== undefined) made.bits = bits;
    keyExchanges.set(key, (k = remember(made)));
  }
  return k;
}

/** The chain as the record states it (base64 DER, wire order). A chain seen before is not encoded again. */
export function sharedChain(ders: readonly Buffer[]): string[] {
  let key = '';
  for (const d of ders) key += `${d.length}:${d.toString('latin1', Math.max(0, d.length - 16))};`;
  const hit = chains.get(key);
  if (hit !== undefined && hit.ders.length === ders.length && hit.ders.every((d, i) => d.equals(ders[i]!))) return hit.chain;
  const chain = remember(ders.map((d) => d.toString('base64')));
  let bytes = 0;
  for (const d of ders) bytes += d.length;
  chainBytes += bytes;
  chains.set(key, { ders: ders.map((d) => Buffer.from(d)), chain });
  return chain;
}

/** The last TLS 1.2 Certificate message read (a copy) and its chain. */
let lastCertificate: { body: Buffer; chain: string[] } | undefined;

/**
 * The chain of a TLS 1.2 Certificate message byte for byte the same as the last one remembered (a
 * server sends the same one to every client): that message's shared chain, without reading it again.
 * Undefined otherwise, or when that chain has more than `maxEntries` certificates (its reader's limit).
 */
export function knownChain(body: Buffer, maxEntries: number): string[] | undefined {
  const last = lastCertificate;
  return last !== undefined && last.chain.length <= maxEntries && last.body.equals(body) ? last.chain : undefined;
}

/** Remember a Certificate message (copied) and the chain read from it, for knownChain. */
export function rememberCertificate(body: Buffer, chain: string[]): void {
  lastCertificate = { body: Buffer.from(body), chain };
}

/**
 * A TLS 1.2 NewSessionTicket (RFC 5077: lifetime hint, ticket) when it reads whole: as
 * parseNewSessionTicket(body, false) states it (length, the key name of the first 16 bytes). Undefined
 * when it does not read whole (the engine's parser says why).
 */
export function sharedTicket12(body: Buffer): SessionTicket | undefined {
  if (body.length < 6) return undefined;
  const length = (body[4]! << 8) | body[5]!;
  if (6 + length !== body.length) return undefined;
  const lifetime = body.readUInt32BE(0);
  const key = `${lifetime}:${length}:${length >= 16 ? body.toString('latin1', 6, 22) : ''}`;
  let t = tickets.get(key);
  if (t === undefined) {
    const made: SessionTicket = { lifetime, length };
    if (length >= 16) made.keyName = body.toString('hex', 6, 22);
    tickets.set(key, (t = remember(made)));
  }
  return t;
}

const q = JSON.stringify;
const keyTexts = new Map<string, string>();

/** `"key":` */
function keyText(k: string): string {
  let t = keyTexts.get(k);
  if (t === undefined) {
    t = `${q(k)}:`;
    if (keyTexts.size < 64) keyTexts.set(k, t);
  }
  return t;
}

/** JSON.stringify(v) for a value of `tls`, with the shared pieces' text; undefined where JSON.stringify skips the key. */
function valueText(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null) return q(v) as string | undefined;
  const t = texts.get(v);
  if (t !== undefined) return t;
  if (!Array.isArray(v)) return q(v);
  let s = '[';
  for (let i = 0; i < v.length; i++) {
    const e: unknown = v[i];
    const et = typeof e === 'object' && e !== null ? (texts.get(e) ?? q(e)) : (q(e) as string | undefined);
    s += `${i ? ',' : ''}${et ?? 'null'}`;
  }
  return `${s}]`;
}

/** JSON.stringify(tls)'s pieces (own keys in their order, the shared pieces' remembered text), pushed onto `parts`. */
export function tlsParts(tls: TlsInfo, parts: string[]): void {
  const o = tls as unknown as Record<string, unknown>;
  let first = true;
  for (const k of Object.keys(o)) {
    const t = valueText(o[k]);
    if (t === undefined) continue;
    parts.push(first ? '{' : ',', keyText(k), t);
    first = false;
  }
  parts.push(first ? '{}' : '}');
}

/** JSON.stringify(tls) exactly. */
export function tlsJson(tls: TlsInfo): string {
  const parts: string[] = [];
  tlsParts(tls, parts);
  return parts.join('');
}
