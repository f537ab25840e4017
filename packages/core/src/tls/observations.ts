import { RecentSlots } from '../record/recent-slots.js';
import type { TlsInfo } from '../record/tls-schema.js';
import { ByteReader } from './bytes.js';
import { cipherSuiteName } from './cipher-suites.js';
import { GROUP_BITS, extensionName, groupName } from './names.js';
import { bitLength, findExtension, parseExtensions, type Extension, type ServerKeyExchange } from './server-messages.js';

/** Turning parsed server messages into `tls.*` record fields. */

/*
 * The parts of a record that repeat from probe to probe (the cipher suite, the server's extension
 * list, the certificate chain) are shared, frozen objects: a scan's records hold the same few, so a
 * probe allocates none of them once they are known. Objects allocated per probe and held until the
 * record is written survive the young generation, and when V8 then decided to tenure their allocation
 * sites it threw away the optimized code of every function that allocated them (onServerHello,
 * onMessage, parseCertificate, recordChain...), which was compiled again during the scan's warm-up.
 * Frozen, so no record can change another's; each cache is bounded and forgets oldest first or all at once.
 */
type Suite = NonNullable<TlsInfo['cipherSuite']>;
type ServerExtension = NonNullable<TlsInfo['serverExtensions']>[number];

/** Cipher suites and extensions by id: at most 65,536 each, but a server picks any id, so past SHARED_IDS they are forgotten. */
const SHARED_IDS = 1024;
const suites = new Map<number, Suite>();
const extensionEntries = new Map<number, ServerExtension>();

/** `{id, name}` of the cipher suite the server chose, one frozen object per id. */
export function sharedSuite(id: number): Suite {
  let s = suites.get(id);
  if (s === undefined) {
    if (suites.size >= SHARED_IDS) suites.clear();
    suites.set(id, (s = Object.freeze({ id, name: cipherSuiteName(id) })));
  }
  return s;
}

function extensionEntry(id: number): ServerExtension {
  let e = extensionEntries.get(id);
  if (e === undefined) {
    if (extensionEntries.size >= SHARED_IDS) extensionEntries.clear();
    extensionEntries.set(id, (e = Object.freeze({ id, name: extensionName(id) })));
  }
  return e;
}

/** Lists and chains kept for reuse: a few, replaced oldest first. */
const LIST_SLOTS = 8;
const extensionLists = new RecentSlots<ServerExtension[]>(LIST_SLOTS);

function sameIds(list: ServerExtension[], a: readonly Ided[], b: readonly Ided[]): boolean {
  if (list.length !== a.length + b.length) return false;
  for (let i = 0; i < a.length; i++) if (list[i]!.id !== a[i]!.id) return false;
  for (let i = 0; i < b.length; i++) if (list[a.length + i]!.id !== b[i]!.id) return false;
  return true;
}

/** An extension as parsed, or as listed in a record already. */
type Ided = Pick<Extension, 'id'>;
const NO_EXTENSIONS: Ided[] = [];

/** `serverExtensions`: the ServerHello's extensions then (TLS 1.3) the EncryptedExtensions', in their order, as one shared frozen list. */
export function serverExtensionList(a: readonly Ided[], b: readonly Ided[] = NO_EXTENSIONS): ServerExtension[] {
  const kept = extensionLists.items;
  for (let i = 0; i < kept.length; i++) if (sameIds(kept[i]!, a, b)) return kept[i]!;
  const list: ServerExtension[] = [];
  for (let i = 0; i < a.length; i++) list.push(extensionEntry(a[i]!.id));
  for (let i = 0; i < b.length; i++) list.push(extensionEntry(b[i]!.id));
  Object.freeze(list);
  extensionLists.add(list);
  return list;
}

const chains = new RecentSlots<string[]>(LIST_SLOTS);
/** The texts of the chain being recorded (reused: read before the next call). */
const texts: string[] = [];

/**
 * `chain`: the certificates' base64, one shared frozen array when the same chain was recorded lately.
 * A chain is the same when each certificate's text is the same string: certificateBase64 hands out
 * one string per DER it keeps (after a full compare), so the same string means the same bytes.
 */
export function recordChain(info: TlsInfo, chain: Buffer[], ocsp?: Buffer): void {
  texts.length = 0;
  for (let i = 0; i < chain.length; i++) texts.push(certificateBase64(chain[i]!));
  info.chain = sharedChain();
  if (ocsp) recordOcsp(info, ocsp);
}

function sharedChain(): string[] {
  const all = chains.items;
  for (let c = 0; c < all.length; c++) {
    const kept = all[c]!;
    if (kept.length !== texts.length) continue;
    let i = 0;
    while (i < kept.length && kept[i] === texts[i]) i++;
    if (i === kept.length) return kept;
  }
  const chain = Object.freeze(texts.slice()) as string[];
  chains.add(chain);
  return chain;
}

/**
 * The base64 of certificates this engine saw lately, by their DER (as Go's crypto/tls client keeps
 * parsed certificates by their DER): a scan meets the same certificates over and over (a server's
 * chain on each of its ports and fallback steps, the few intermediates most servers send), and their
 * records then share one string instead of encoding and holding a copy each. A hit is a full compare
 * of the DER against a copy kept here (never a prefix or a hash), so one server's bytes never give
 * another's record. Bounded: CERT_SLOTS certificates of at most CERT_MAX_BYTES each, replaced oldest first.
 */
const CERT_SLOTS = 16;
const CERT_MAX_BYTES = 8192;
const certDer = new RecentSlots<Buffer>(CERT_SLOTS);
/** Each kept DER's base64, at its slot in certDer. */
const certText: string[] = [];

export function certificateBase64(der: Buffer): string {
  const kept = certDer.items;
  for (let i = 0; i < kept.length; i++) {
    const d = kept[i]!;
    if (d.length === der.length && d.equals(der)) return certText[i]!;
  }
  const text = der.toString('base64');
  if (der.length <= CERT_MAX_BYTES) {
    // A copy of its own: the DER given is a view into a record the reader may reuse.
    const copy = Buffer.allocUnsafeSlow(der.length);
    copy.set(der, 0);
    certText[certDer.add(copy)] = text;
  }
  return text;
}

export function recordOcsp(info: TlsInfo, ocsp: Buffer): void {
  info.ocspStapled = ocsp.length > 0;
  if (ocsp.length) info.ocspResponse = ocsp.toString('base64');
}

export function keyExchangeInfo(ske: ServerKeyExchange): KeyExchange {
  if (ske.kind === 'DHE') return sharedKeyExchange('DHE', undefined, bitLength(ske.p));
  if (ske.curveType !== 3) return sharedKeyExchange('ECDHE', `curve_type_${ske.curveType}`, undefined);
  const g = groupName(ske.group);
  return sharedKeyExchange('ECDHE', g, GROUP_BITS[g] || undefined);
}

type KeyExchange = NonNullable<TlsInfo['keyExchange']>;
const keyExchanges = new Map<string, KeyExchange>();

/** `keyExchange`, one frozen object per value: `{kind, group?, bits?}`, the keys in that order when present. */
export function sharedKeyExchange(kind: KeyExchange['kind'], group: string | undefined, bits: number | undefined): KeyExchange {
  const key = `${kind}/${group ?? ''}/${bits ?? ''}`;
  let k = keyExchanges.get(key);
  if (k === undefined) {
    k = { kind };
    if (group !== undefined) k.group = group;
    if (bits !== undefined) k.bits = bits;
    if (keyExchanges.size >= SHARED_IDS) keyExchanges.clear();
    keyExchanges.set(key, Object.freeze(k));
  }
  return k;
}

/**
 * The protocol the server selected (its ALPN extension carries exactly one). Read in place when its
 * lengths hold (no reader objects: this runs once per passive TLS 1.2 connection); otherwise by the
 * checked reader, which fails as it always did.
 */
export function parseAlpn(data: Buffer): string {
  if (data.length >= 3) {
    const listLength = (data[0]! << 8) | data[1]!;
    const nameLength = data[2]!;
    if (listLength >= 1 && listLength <= data.length - 2 && nameLength <= listLength - 1) return data.toString('utf8', 3, 3 + nameLength);
  }
  return parseAlpnChecked(data);
}

/** parseAlpn with the engine's bounds-checked reader: the reference, and the path of an extension whose lengths do not hold. */
export function parseAlpnChecked(data: Buffer): string {
  const r = new ByteReader(data, 'alpn');
  const list = new ByteReader(r.vec16(), 'alpn');
  return list.vec8().toString('utf8');
}

/** TLS 1.3 EncryptedExtensions: appended to the ServerHello's in `serverExtensions`; ALPN from here. */
export function recordEncryptedExtensions(info: TlsInfo, body: Buffer): void {
  const r = new ByteReader(body, 'EncryptedExtensions');
  const exts = parseExtensions(r);
  r.end();
  if (exts.length > 0) info.serverExtensions = serverExtensionList(info.serverExtensions ?? NO_EXTENSIONS, exts);
  const alpn = findExtension(exts, 16);
  if (alpn) info.alpn = parseAlpn(alpn);
}
