import { cipherSuiteId } from './cipher-suites.js';
import type { KeyShare } from './key-exchange.js';
import { EXTENSIONS, GROUPS, SIGNATURE_ALGORITHMS, VERSION_CODES } from './names.js';
import type { TlsProfile } from './profiles.js';
import { u16, vec16, vec8, writeU16, writeU24 } from './bytes.js';

/** A profile turned into numbers once (cached per profile object). */
export interface CompiledProfile {
  profile: TlsProfile;
  recordVersion: number;
  clientVersion: number;
  supportedVersions: number[];
  suites: number[];
  groups: number[];
  sigalgs: number[];
  /** The versions a ServerHello may choose: supported_versions when the profile sends it, else every version up to clientVersion. */
  offeredVersions: number[];
  /** The key shares the last ClientHello of this profile offered (client-handshake.ts offerShares). */
  lastShares: KeyShare[];
}

const cache = new WeakMap<TlsProfile, CompiledProfile>();

export function compileProfile(p: TlsProfile): CompiledProfile {
  let c = cache.get(p);
  if (c) return c;
  const clientVersion = VERSION_CODES[p.clientVersion];
  const supportedVersions = p.supportedVersions.map((v) => VERSION_CODES[v]);
  c = {
    profile: p,
    recordVersion: VERSION_CODES[p.recordVersion],
    clientVersion,
    supportedVersions,
    suites: p.cipherSuites.map((s) => cipherSuiteId(s)).filter((n): n is number => n !== undefined),
    groups: p.groups.map((g) => GROUPS[g]).filter((n): n is number => n !== undefined),
    sigalgs: p.signatureAlgorithms.map((s) => SIGNATURE_ALGORITHMS[s] ?? parseInt(s, 16)),
    offeredVersions: supportedVersions.length && p.extensions.includes('supported_versions') ? supportedVersions : [0x0300, 0x0301, 0x0302, 0x0303].filter((v) => v <= clientVersion),
    lastShares: [],
  };
  cache.set(p, c);
  return c;
}

export interface ClientHelloInput {
  random: Buffer;
  sessionId: Buffer;
  serverName?: string;
  alpn: string[];
  keyShares: KeyShare[];
  /** Cookie from a HelloRetryRequest, echoed in the second ClientHello. */
  cookie?: Buffer;
}

function extensionBody(name: string, c: CompiledProfile, input: ClientHelloInput): Buffer | undefined {
  const p = c.profile;
  switch (name) {
    case 'server_name':
      if (!input.serverName) return undefined;
      return vec16(Buffer.concat([Buffer.from([0]), vec16(Buffer.from(input.serverName, 'ascii'))]));
    case 'extended_master_secret':
    case 'session_ticket':
    case 'signed_certificate_timestamp':
    case 'encrypt_then_mac':
      return Buffer.alloc(0);
    case 'renegotiation_info':
      return Buffer.from([0]);
    case 'supported_groups':
      return vec16(Buffer.concat(c.groups.map(u16)));
    case 'ec_point_formats':
      return vec8(Buffer.from(p.pointFormats));
    case 'alpn':
      if (input.alpn.length === 0) return undefined;
      return vec16(Buffer.concat(input.alpn.map((a) => vec8(Buffer.from(a, 'utf8')))));
    case 'status_request':
      return Buffer.from([1, 0, 0, 0, 0]);
    case 'signature_algorithms':
    case 'signature_algorithms_cert':
      return vec16(Buffer.concat(c.sigalgs.map(u16)));
    case 'key_share':
      return keyShareBody(input.keyShares);
    case 'psk_key_exchange_modes':
      return vec8(Buffer.from([1]));
    case 'supported_versions':
      return vec8(Buffer.concat(c.supportedVersions.map(u16)));
    case 'heartbeat':
      return Buffer.from([1]);
    case 'max_fragment_length':
      return Buffer.from([4]);
    default:
      return undefined;
  }
}

/** One extension (type, length, body) in one buffer. */
function extension(type: number, body: Buffer): Buffer {
  const b = Buffer.allocUnsafe(4 + body.length);
  writeU16(b, 0, type);
  writeU16(b, 2, body.length);
  b.set(body, 4);
  return b;
}

/** key_share's client_shares (group, key) written into one buffer: it is made for every probe. */
function keyShareBody(shares: KeyShare[]): Buffer {
  let len = 0;
  for (const k of shares) len += 4 + k.publicKey.length;
  const b = Buffer.allocUnsafe(2 + len);
  let at = writeU16(b, 0, len);
  for (const k of shares) {
    at = writeU16(b, at, GROUPS[k.group]!);
    at = writeU16(b, at, k.publicKey.length);
    b.set(k.publicKey, at);
    at += k.publicKey.length;
  }
  return b;
}

// Extensions whose bytes depend on the connection; all others depend only on the profile.
const PER_CONNECTION = new Set(['server_name', 'alpn', 'key_share']);

/**
 * What a profile's ClientHello is made of, worked out once per profile: the fixed head (suites,
 * compression) and the extensions in profile order, each either encoded already (it depends on the
 * profile only) or the name of one made per connection ('padding' marks where padding goes). A
 * ClientHello per probe then walks a short list: no lookups by name, and a small function to compile.
 */
interface HelloPlan {
  head: Buffer;
  extensions: Array<Buffer | string>;
  /** ClientHello records already written for this profile, by their other inputs (see clientHelloRecord). */
  templates: HelloTemplate[];
  /** The slot the next new template takes once `templates` is full (oldest first). */
  nextSlot: number;
}
const planCache = new WeakMap<CompiledProfile, HelloPlan>();

function helloPlan(c: CompiledProfile): HelloPlan {
  let plan = planCache.get(c);
  if (!plan) {
    plan = { head: Buffer.concat([vec16(Buffer.concat(c.suites.map(u16))), vec8(Buffer.from(c.profile.compressionMethods))]), extensions: [], templates: [], nextSlot: 0 };
    for (const name of c.profile.extensions) {
      if (name === 'padding' || PER_CONNECTION.has(name)) {
        plan.extensions.push(name);
        continue;
      }
      // Encoded with no connection's data: only per-connection extensions read the input.
      const body = extensionBody(name, c, NO_INPUT);
      if (body) plan.extensions.push(extension(EXTENSIONS[name]!, body));
    }
    planCache.set(c, plan);
  }
  return plan;
}

const NO_INPUT: ClientHelloInput = { random: Buffer.alloc(0), sessionId: Buffer.alloc(0), alpn: [], keyShares: [] };

/**
 * RFC 7685 padding, the way OpenSSL 1.0.1g and BoringSSL size it: some F5 load
 * balancers hang on a ClientHello message of 256 to 511 bytes, so one in that
 * window is padded to 512; outside it no padding extension is sent.
 */
export function paddingLength(messageLen: number): number | undefined {
  if (messageLen < 256 || messageLen >= 512) return undefined;
  const pad = 512 - messageLen;
  return pad >= 5 ? pad - 4 : 1;
}

/** The ClientHello handshake message (type, length, body), preceded in its buffer by 5 bytes of headroom. */
export function buildClientHello(c: CompiledProfile, input: ClientHelloInput): Buffer {
  return writeClientHello(c, input).subarray(5);
}

/** The ClientHello handshake message after 5 bytes of headroom (a record header's room), in one buffer. */
function writeClientHello(c: CompiledProfile, input: ClientHelloInput): Buffer {
  const plan = helloPlan(c);
  const exts: Buffer[] = [];
  let padAt = -1;
  let extLen = 0;
  for (const item of plan.extensions) {
    if (typeof item !== 'string') {
      exts.push(item);
      extLen += item.length;
    } else if (item === 'padding') {
      padAt = exts.length;
    } else {
      const body = extensionBody(item, c, input);
      if (body) {
        const ext = extension(EXTENSIONS[item]!, body);
        exts.push(ext);
        extLen += ext.length;
      }
    }
  }
  if (input.cookie) {
    const cookie = extension(EXTENSIONS.cookie!, vec16(input.cookie));
    exts.push(cookie);
    extLen += cookie.length;
  }
  // Written once into one buffer (with room for a record header in front): this runs for every probe.
  const fixedLen = 2 + input.random.length + 1 + input.sessionId.length + plan.head.length;
  if (padAt >= 0) {
    // The size depends on SNI, ALPN and key shares, so padding is sized per connection.
    const pad = paddingLength(4 + fixedLen + 2 + extLen);
    if (pad !== undefined) {
      const ext = Buffer.alloc(4 + pad);
      writeU16(ext, 0, EXTENSIONS.padding!);
      writeU16(ext, 2, pad);
      exts.splice(padAt, 0, ext);
      extLen += ext.length;
    }
  }
  // SSL 3.0 style hellos carry no extensions block at all.
  const bodyLen = fixedLen + (exts.length > 0 ? 2 + extLen : 0);
  const buf = Buffer.allocUnsafe(5 + 4 + bodyLen);
  let at = 5;
  buf[at++] = 1;
  writeU24(buf, at, bodyLen);
  at += 3;
  at = writeU16(buf, at, c.clientVersion);
  buf.set(input.random, at);
  at += input.random.length;
  buf[at++] = input.sessionId.length;
  buf.set(input.sessionId, at);
  at += input.sessionId.length;
  buf.set(plan.head, at);
  at += plan.head.length;
  if (exts.length > 0) {
    at = writeU16(buf, at, extLen);
    for (const e of exts) {
      buf.set(e, at);
      at += e.length;
    }
  }
  return buf;
}

/**
 * The ClientHello message and the plaintext record(s) carrying it. The
 * message is written with room for one record header in front, so the
 * common case (one record) costs no copy.
 *
 * A scan sends the same hello over and over: the profile is fixed, IP targets have no SNI, and key
 * shares are reused for many handshakes (key-exchange.ts nextKeyShare). So a hello without SNI,
 * written once, is kept as a template, keyed on every input that changes its bytes other than the
 * random and the session id (ALPN, the key shares, the session id's length; SNI too, absent), and a
 * probe whose inputs match copies it and writes its own random and session id into the copy. Each
 * probe gets its own buffer: the transcript and the socket keep theirs. A hello with SNI is written
 * afresh: a scan's targets come in a shuffled order, so one host's ports are far apart and a small
 * cache of names would miss nearly always (each miss a copy more than writing the hello;
 * bench/client-hello-template.mjs). So is a hello with a HelloRetryRequest cookie (the second hello
 * of a retry) or one longer than one record.
 */
export function clientHelloRecord(c: CompiledProfile, input: ClientHelloInput): { message: Buffer; record: Buffer } {
  if (input.serverName || input.cookie !== undefined || input.random.length !== 32) return writeClientHelloRecord(c, input);
  const plan = helloPlan(c);
  const template = findTemplate(plan.templates, input);
  if (template !== undefined) {
    const record = Buffer.allocUnsafe(template.length);
    record.set(template, 0);
    record.set(input.random, RANDOM_AT);
    record.set(input.sessionId, RANDOM_AT + 33);
    return { message: record.subarray(5), record };
  }
  const out = writeClientHelloRecord(c, input);
  if (out.record.length === out.message.length + 5) keepTemplate(plan, input, out.record);
  return out;
}

/** Where the random starts in a ClientHello record: record header (5), handshake header (4), client_version (2); the session id's length byte follows it, then the session id. */
const RANDOM_AT = 11;

/** At most this many templates per profile, replaced oldest first: a scan needs one (two while a key share rotates; more with per-probe ALPN lists). */
const MAX_TEMPLATES = 4;

/** One ClientHello record and the inputs it was written for (its random and session id are stale). */
interface HelloTemplate {
  serverName: string | undefined;
  alpn: string[];
  /** Each share's group and public key as they were: a reused share hands the same key buffer to each of its handshakes and it is never written after it is made; a rotated share has a new one. */
  shares: Array<{ group: string; publicKey: Buffer }>;
  sessionIdLength: number;
  record: Buffer;
}

function findTemplate(templates: HelloTemplate[], input: ClientHelloInput): Buffer | undefined {
  for (let i = 0; i < templates.length; i++) {
    const t = templates[i]!;
    if (t.serverName === input.serverName && t.sessionIdLength === input.sessionId.length && sameStrings(t.alpn, input.alpn) && sameShares(t.shares, input.keyShares)) return t.record;
  }
  return undefined;
}

function keepTemplate(plan: HelloPlan, input: ClientHelloInput, record: Buffer): void {
  // Its own memory (not a slice of node's shared pool), as it may live for the whole scan.
  const copy = Buffer.allocUnsafeSlow(record.length);
  copy.set(record, 0);
  const t: HelloTemplate = { serverName: input.serverName, alpn: input.alpn.slice(), shares: input.keyShares.map((k) => ({ group: k.group, publicKey: k.publicKey })), sessionIdLength: input.sessionId.length, record: copy };
  if (plan.templates.length < MAX_TEMPLATES) plan.templates.push(t);
  else {
    plan.templates[plan.nextSlot] = t;
    plan.nextSlot = (plan.nextSlot + 1) % MAX_TEMPLATES;
  }
}

function sameStrings(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameShares(a: HelloTemplate['shares'], b: KeyShare[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.publicKey !== b[i]!.publicKey || a[i]!.group !== b[i]!.group) return false;
  return true;
}

/** The ClientHello written from the profile and the inputs (no template). */
function writeClientHelloRecord(c: CompiledProfile, input: ClientHelloInput): { message: Buffer; record: Buffer } {
  const record = writeClientHello(c, input);
  const message = record.subarray(5);
  if (message.length > 16384) return { message, record: plaintextRecords(22, c.recordVersion, message) };
  record[0] = 22;
  writeU16(record, 1, c.recordVersion);
  writeU16(record, 3, message.length);
  return { message, record };
}

/** Wrap handshake bytes into plaintext records of at most 16384 bytes. */
export function plaintextRecords(type: number, version: number, data: Buffer): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length || i === 0; i += 16384) {
    const frag = data.subarray(i, i + 16384);
    out.push(Buffer.from([type, version >> 8, version & 255, frag.length >> 8, frag.length & 255]), frag);
    if (data.length === 0) break;
  }
  return Buffer.concat(out);
}
