import { ByteReader } from './bytes.js';
import { parseExtensions, type Extension } from './server-messages.js';
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

export function parseClientHello(body: Buffer): ClientHello {
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
