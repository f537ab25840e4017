import type { TlsInfo } from '../record/tls-schema.js';
import { ByteReader } from './bytes.js';
import { GROUP_BITS, extensionName, groupName } from './names.js';
import { bitLength, findExtension, parseExtensions, type ServerKeyExchange } from './server-messages.js';

/** Turning parsed server messages into `tls.*` record fields. */

export function recordChain(info: TlsInfo, chain: Buffer[], ocsp?: Buffer): void {
  const der: string[] = [];
  for (let i = 0; i < chain.length; i++) der.push(certificateBase64(chain[i]!));
  info.chain = der;
  if (ocsp) recordOcsp(info, ocsp);
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
const certDer: Buffer[] = [];
const certText: string[] = [];
let certNext = 0;

export function certificateBase64(der: Buffer): string {
  for (let i = 0; i < certDer.length; i++) {
    const d = certDer[i]!;
    if (d.length === der.length && d.equals(der)) return certText[i]!;
  }
  const text = der.toString('base64');
  if (der.length <= CERT_MAX_BYTES) {
    // A copy of its own: the DER given is a view into a record the reader may reuse.
    const copy = Buffer.allocUnsafeSlow(der.length);
    copy.set(der, 0);
    if (certDer.length < CERT_SLOTS) {
      certDer.push(copy);
      certText.push(text);
    } else {
      certDer[certNext] = copy;
      certText[certNext] = text;
      certNext = (certNext + 1) % CERT_SLOTS;
    }
  }
  return text;
}

export function recordOcsp(info: TlsInfo, ocsp: Buffer): void {
  info.ocspStapled = ocsp.length > 0;
  if (ocsp.length) info.ocspResponse = ocsp.toString('base64');
}

export function keyExchangeInfo(ske: ServerKeyExchange): NonNullable<TlsInfo['keyExchange']> {
  if (ske.kind === 'DHE') return { kind: 'DHE', bits: bitLength(ske.p) };
  if (ske.curveType !== 3) return { kind: 'ECDHE', group: `curve_type_${ske.curveType}` };
  const g = groupName(ske.group);
  return { kind: 'ECDHE', group: g, ...(GROUP_BITS[g] ? { bits: GROUP_BITS[g] } : {}) };
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
  // A loop, not spreads of a map(): `exts` is most often empty, and its array kind then differs
  // from a non-empty list's, which deoptimized the spread's code as the scan warmed up.
  const list = info.serverExtensions ? info.serverExtensions.slice() : [];
  for (let i = 0; i < exts.length; i++) list.push({ id: exts[i]!.id, name: extensionName(exts[i]!.id) });
  info.serverExtensions = list;
  const alpn = findExtension(exts, 16);
  if (alpn) info.alpn = parseAlpn(alpn);
}
