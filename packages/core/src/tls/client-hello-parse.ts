import { ByteReader } from './bytes.js';
import { parseExtensions, type Extension } from './server-messages.js';
import { ExtensionView, readExtensionBlock } from './extension-view.js';
import { TlsFailure } from './tls-failure.js';

/**
 * The client side of the engine's hello parsing, for passive following: a
 * ClientHello body (type and length stripped) read with the same bounds-checked
 * reader and extension parser as the server's messages. Lists keep the
 * client's order and its GREASE values (fingerprints drop them, not this).
 */
export interface ClientHello {
  legacyVersion: number;
  sessionId: Buffer;
  suites: number[];
  compression: number[];
  extensions: Extension[];
  serverName?: string;
  alpn: string[];
  groups: number[];
  pointFormats: number[];
  signatureAlgorithms: number[];
  /** supported_versions, when present (TLS 1.3 capable clients). */
  supportedVersions: number[];
  /** A pre_shared_key extension: the client tries TLS 1.3 resumption. */
  pskOffered: boolean;
  /** A non-empty session_ticket extension: the client tries TLS 1.2 ticket resumption. */
  ticketOffered: boolean;
}

/** Most entries kept per list: a ClientHello of 256 KiB (the message cap) could list 32,000 suites. */
const MAX_ENTRIES = 512;

function u16List(data: Buffer, what: string, lengthBytes: 1 | 2): number[] {
  const r = new ByteReader(data, what);
  const list = new ByteReader(lengthBytes === 2 ? r.vec16() : r.vec8(), what);
  r.end();
  const out: number[] = [];
  while (list.left > 0 && out.length < MAX_ENTRIES) out.push(list.u16());
  return out;
}

function serverName(data: Buffer): string | undefined {
  const r = new ByteReader(data, 'server_name');
  const list = new ByteReader(r.vec16(), 'server_name');
  while (list.left > 0) {
    const type = list.u8();
    const name = list.vec16();
    if (type === 0) return name.toString('latin1');
  }
  return undefined;
}

function alpnList(data: Buffer): string[] {
  const r = new ByteReader(data, 'alpn');
  const list = new ByteReader(r.vec16(), 'alpn');
  const out: string[] = [];
  while (list.left > 0 && out.length < MAX_ENTRIES) out.push(list.vec8().toString('latin1'));
  return out;
}


/** No entry of the hello's extension lists is at or past this offset: the hello reads some other way. */
const BAD = -1;

/** Offset just past a vec16 (2-byte length, then its bytes) at `at` that must end by `end`, or BAD. */
function vec16End(b: Buffer, at: number, end: number): number {
  if (at + 2 > end) return BAD;
  const e = at + 2 + ((b[at]! << 8) | b[at + 1]!);
  return e > end ? BAD : e;
}

/** u16 entries from `at` to `end` (an even count of bytes), at most MAX_ENTRIES (the array made at its size: no growing). */
function u16s(b: Buffer, at: number, end: number): number[] {
  const n = Math.min((end - at) >> 1, MAX_ENTRIES);
  const out = new Array<number>(n);
  for (let k = 0, i = at; k < n; k++, i += 2) out[k] = (b[i]! << 8) | b[i + 1]!;
  return out;
}

/** A u16 list extension (`lengthBytes` of list length, the list filling the extension exactly, an even count), or undefined. */
function u16ListAt(b: Buffer, at: number, end: number, lengthBytes: 1 | 2): number[] | undefined {
  if (at + lengthBytes > end) return undefined;
  const len = lengthBytes === 2 ? (b[at]! << 8) | b[at + 1]! : b[at]!;
  if (at + lengthBytes + len !== end || len % 2 !== 0) return undefined;
  return u16s(b, at + lengthBytes, end);
}

/** server_name: the first host_name entry's text; null when the list does not read whole up to it. */
function serverNameAt(b: Buffer, at: number, end: number): string | undefined | null {
  const listEnd = vec16End(b, at, end);
  if (listEnd === BAD) return null;
  for (let p = at + 2; p < listEnd; ) {
    const type = b[p]!;
    const nameEnd = vec16End(b, p + 1, listEnd);
    if (nameEnd === BAD) return null;
    if (type === 0) return b.toString('latin1', p + 3, nameEnd);
    p = nameEnd;
  }
  return undefined;
}

/** ALPN protocol names (at most MAX_ENTRIES), or undefined when the list does not read whole up to them. */
function alpnAt(b: Buffer, at: number, end: number): string[] | undefined {
  const listEnd = vec16End(b, at, end);
  if (listEnd === BAD) return undefined;
  const out: string[] = [];
  for (let p = at + 2; p < listEnd && out.length < MAX_ENTRIES; ) {
    const nameEnd = p + 1 + b[p]!;
    if (nameEnd > listEnd) return undefined;
    out.push(b.toString('latin1', p + 1, nameEnd));
    p = nameEnd;
  }
  return out;
}

/**
 * The ClientHello read with plain offsets: no reader object, no view per list or extension. It
 * gives up (undefined) on anything the checked reading would refuse or read in a way of its own
 * (a length past its bounds, trailing bytes, a repeated extension, an odd list), and leaves that
 * hello to parseClientHelloChecked; what it returns is what that would return.
 */
function readClientHello(b: Buffer): ClientHello | undefined {
  const n = b.length;
  if (n < 35) return undefined;
  const legacyVersion = (b[0]! << 8) | b[1]!;
  const sidLen = b[34]!;
  let p = 35 + sidLen;
  if (sidLen > 32 || p > n) return undefined;
  const sessionId = b.subarray(35, p);
  const suitesEnd = vec16End(b, p, n);
  if (suitesEnd === BAD || (suitesEnd - p) % 2 !== 0) return undefined;
  const suites = u16s(b, p + 2, suitesEnd);
  p = suitesEnd;
  if (p >= n) return undefined;
  const compEnd = p + 1 + b[p]!;
  if (compEnd > n) return undefined;
  const compression = new Array<number>(compEnd - p - 1);
  for (let i = p + 1; i < compEnd; i++) compression[i - p - 1] = b[i]!;
  p = compEnd;
  const extensions = p === n ? [] : readExtensionBlock(b, p);
  if (!extensions) return undefined;
  return helloOf(b, legacyVersion, sessionId, suites, compression, extensions);
}

/** The hello's lists from its extensions (their bytes read in place), or undefined when one does not read whole. */
function helloOf(b: Buffer, legacyVersion: number, sessionId: Buffer, suites: number[], compression: number[], extensions: ExtensionView[]): ClientHello | undefined {
  let serverName: string | undefined | null;
  let sni = false;
  let alpn: string[] = [];
  let groups: number[] | undefined = [];
  let pointFormats: number[] = [];
  let signatureAlgorithms: number[] | undefined = [];
  let supportedVersions: number[] | undefined = [];
  let ticketOffered = false;
  let psk = false;
  for (const e of extensions) {
    const { at, end } = e;
    switch (e.id) {
      case 0:
        sni = true;
        serverName = serverNameAt(b, at, end);
        if (serverName === null) return undefined;
        break;
      case 16: {
        const list = alpnAt(b, at, end);
        if (!list) return undefined;
        alpn = list;
        break;
      }
      case 10: groups = u16ListAt(b, at, end, 2); break;
      case 11: {
        if (at >= end || at + 1 + b[at]! > end) return undefined;
        pointFormats = new Array<number>(b[at]!);
        for (let i = 0; i < pointFormats.length; i++) pointFormats[i] = b[at + 1 + i]!;
        break;
      }
      case 13: signatureAlgorithms = u16ListAt(b, at, end, 2); break;
      case 43: supportedVersions = u16ListAt(b, at, end, 1); break;
      case 35: ticketOffered = end > at; break;
      case 41: psk = true; break;
    }
    if (!groups || !signatureAlgorithms || !supportedVersions) return undefined;
  }
  const hello: ClientHello = {
    legacyVersion,
    sessionId,
    suites,
    compression,
    extensions,
    alpn,
    groups: groups!,
    pointFormats,
    signatureAlgorithms: signatureAlgorithms!,
    supportedVersions: supportedVersions!,
    pskOffered: psk,
    ticketOffered,
  };
  // Set only with a server_name extension (undefined when it names no host), as the checked reader does.
  if (sni) hello.serverName = serverName as string | undefined;
  return hello;
}

/**
 * A ClientHello body (type and length stripped). Read with plain offsets when it is well formed
 * (readClientHello); a hello that is not is read by the checked reader, which fails it as before.
 */
export function parseClientHello(body: Buffer): ClientHello {
  return readClientHello(body) ?? parseClientHelloChecked(body);
}

/**
 * The ClientHello as the engine's bounds-checked readers read it: the reference, and the path of
 * any hello the fast reading (readClientHello) does not take whole, so that a malformed one fails
 * with the same error at the same offset.
 */
export function parseClientHelloChecked(body: Buffer): ClientHello {
  const r = new ByteReader(body, 'ClientHello');
  const legacyVersion = r.u16();
  r.skip(32); // random: not kept
  const sessionId = r.vec8();
  if (sessionId.length > 32) throw new TlsFailure('protocol', 'ClientHello: session id longer than 32 bytes', 'ClientHello', 35);
  const suiteBytes = r.vec16();
  if (suiteBytes.length % 2 !== 0) throw new TlsFailure('protocol', 'ClientHello: odd cipher-suite list length', 'ClientHello');
  const suites: number[] = [];
  for (let i = 0; i + 1 < suiteBytes.length && suites.length < MAX_ENTRIES; i += 2) suites.push(suiteBytes.readUInt16BE(i));
  const compression = [...r.vec8()];
  const extensions = parseExtensions(r);
  r.end();
  // One pass over the extensions (each id appears once: parseExtensions refuses a repeat).
  let sni: Buffer | undefined;
  let alpn: Buffer | undefined;
  let groups: Buffer | undefined;
  let formats: Buffer | undefined;
  let sigalgs: Buffer | undefined;
  let versions: Buffer | undefined;
  let ticket: Buffer | undefined;
  let psk = false;
  for (const e of extensions) {
    switch (e.id) {
      case 0: sni = e.data; break;
      case 16: alpn = e.data; break;
      case 10: groups = e.data; break;
      case 11: formats = e.data; break;
      case 13: sigalgs = e.data; break;
      case 43: versions = e.data; break;
      case 35: ticket = e.data; break;
      case 41: psk = true; break;
    }
  }
  return {
    legacyVersion,
    sessionId,
    suites,
    compression,
    extensions,
    ...(sni ? { serverName: serverName(sni) } : {}),
    alpn: alpn ? alpnList(alpn) : [],
    groups: groups ? u16List(groups, 'supported_groups', 2) : [],
    pointFormats: formats ? [...new ByteReader(formats, 'ec_point_formats').vec8()] : [],
    signatureAlgorithms: sigalgs ? u16List(sigalgs, 'signature_algorithms', 2) : [],
    supportedVersions: versions ? u16List(versions, 'supported_versions', 1) : [],
    pskOffered: psk,
    ticketOffered: ticket !== undefined && ticket.length > 0,
  };
}
