import { createHash } from 'node:crypto';
import { objectList } from './object-list.js';
import { randomFromPool } from './random-pool.js';
import type { TlsInfo } from '../record/tls-schema.js';
import { cipherSuiteById, whyNotCompletable, type CipherSuite } from './cipher-suites.js';
import { clientHelloRecord, compileProfile, plaintextRecords, type CompiledProfile } from './client-hello.js';
import { canShare, nextKeyShare, type KeyShare, type KeyShareReuse } from './key-exchange.js';
import type { Hash13 } from './key-schedule13.js';
import { alertName, groupName, handshakeTypeName, versionName } from './names.js';
import type { TlsProfile } from './profiles.js';
import type { RecordProtection } from './record-protection.js';
import { RecordReader } from './record-reader.js';
import { HandshakeReassembler } from './handshake-reassembler.js';
import { DEFAULT_TLS_LIMITS, SMALL_RECORD_BYTES, type TlsLimits } from './limits.js';
import { checkDhParameters, findExtension, parseCertificate, parseCertificateStatus, parseNewSessionTicket, parseServerHello, parseServerKeyExchange, type ServerKeyExchange } from './server-messages.js';
import { keyExchangeInfo, parseAlpn, recordChain, recordEncryptedExtensions, recordOcsp, serverExtensionList, sharedSuite } from './observations.js';
import { TlsFailure } from './tls-failure.js';
import { ByteReader, handshakeMessage, joinBytes } from './bytes.js';
import { Tls12Flow } from './tls12-flow.js';
import { Tls13Flow } from './tls13-flow.js';

export interface ClientHandshakeOptions {
  serverName?: string;
  alpn?: string[];
  observeOnly: boolean;
  /** Cap on one handshake message (defaults to 256 KiB; `limits.maxMessageBytes` too). */
  maxMessageBytes?: number;
  /** Caps on what the server may send (limits.ts); defaults for whatever is left out. */
  limits?: Partial<TlsLimits>;
  /** Reuse our key shares across handshakes, within these bounds (key-exchange.ts nextKeyShare); default: a fresh share each time. */
  keyShareReuse?: KeyShareReuse;
  /** Fixed randomness, only for replaying recorded flights in tests. */
  replay?: { clientRandom: Buffer; sessionId: Buffer; share: (group: string) => KeyShare };
}

export type HandshakeState = 'running' | 'done' | 'failed';

/**
 * The client side of one handshake as a pure byte-in/bytes-out state machine:
 * `start()` queues the ClientHello, `feed()` takes server bytes, `out` holds
 * bytes to send. It never throws: failures end in `info.error`. After `done`
 * the same object protects application data (see tls-stream.ts).
 */
/** Who takes a completed handshake's application data (TlsStream). */
export interface AppDataSink {
  /** Decrypted application data, in order. */
  deliver(data: Buffer): void;
  /** The server closed the TLS session (close_notify). */
  peerEnded(): void;
}

export class ClientHandshake {
  // Fields declared and set in the constructor in this order: a class body with field initializers
  // gets its own <instance_members_initializer>, which TurboFan compiles as a job of its own.
  declare readonly options: ClientHandshakeOptions;
  declare readonly info: TlsInfo;
  declare state: HandshakeState;
  declare out: Buffer[];
  /** Decrypted application data not yet taken by a stream. */
  declare appData: Buffer[];
  /** Set when the server closed the TLS session after completion (close_notify). */
  declare peerClosed: boolean;
  /** The stream that takes application data and the server's close_notify once the handshake is done (TlsStream): methods, not closures per probe. */
  declare appSink: AppDataSink | undefined;

  declare readonly cp: CompiledProfile;
  declare readonly reader: RecordReader;
  declare readonly transcript: Buffer[];
  declare readonly clientRandom: Buffer;
  declare serverRandom: Buffer;
  declare suite: CipherSuite | undefined;
  declare version: number;
  declare readProt: RecordProtection | undefined;
  declare writeProt: RecordProtection | undefined;
  /** Record version our records carry after the ServerHello. */
  declare recordVersion: number;
  declare shares: KeyShare[];
  /** The ServerHello carried encrypt_then_mac (22) and extended_master_secret (23): flags, not its list, so nothing of it outlives the message. */
  declare serverEtm: boolean;
  declare serverEms: boolean;
  /** The leaf certificate's DER (TLS 1.2 RSA key exchange encrypts to it). */
  declare leafDer: Buffer | undefined;
  declare ske: ServerKeyExchange | undefined;
  declare certRequest: Buffer | undefined;
  /** True once 1.3 application keys are in use (a CCS then is a protocol error). */
  declare readProtIsApp: boolean;
  /** Stopped after the first flight (observe-only): later bytes are ignored. */
  declare observedOnly: boolean;
  declare readonly limits: TlsLimits;
  private declare readonly hsMessages: HandshakeReassembler;
  /** Records before the handshake ended; after it, records without application data and handshake messages. */
  private declare handshakeRecords: number;
  private declare idleRecords: number;
  private declare postHandshakeMessages: number;
  private declare smallRecords: number;
  private declare emptyBeforeData: boolean;
  private declare sessionId: Buffer;
  private declare helloRetried: boolean;
  private declare flow: Tls12Flow | Tls13Flow | undefined;

  constructor(profile: TlsProfile, options: ClientHandshakeOptions) {
    const cp = compileProfile(profile);
    let clientRandom: Buffer;
    let sessionId: Buffer;
    if (options.replay) {
      clientRandom = options.replay.clientRandom;
      sessionId = options.replay.sessionId;
    } else {
      const rnd = randomFromPool(32 + profile.sessionIdLength);
      clientRandom = rnd.subarray(0, 32);
      sessionId = rnd.subarray(32);
    }
    // The (frozen) defaults themselves unless something is overridden: no copy per handshake.
    const limits = options.maxMessageBytes || options.limits
      ? { ...DEFAULT_TLS_LIMITS, ...(options.maxMessageBytes ? { maxMessageBytes: options.maxMessageBytes } : {}), ...options.limits }
      : DEFAULT_TLS_LIMITS;
    // `failure` first: a class-body field, it was defined before the constructor ran (the same shape).
    this.failure = undefined;
    this.options = options;
    this.info = newInfo();
    this.state = 'running';
    this.out = objectList<Buffer>();
    this.appData = objectList<Buffer>();
    this.peerClosed = false;
    this.appSink = undefined;
    this.cp = cp;
    this.reader = new RecordReader();
    this.transcript = objectList<Buffer>();
    this.clientRandom = clientRandom;
    this.serverRandom = Buffer.alloc(0);
    this.suite = undefined;
    this.version = 0;
    this.readProt = undefined;
    this.writeProt = undefined;
    this.recordVersion = cp.recordVersion;
    this.shares = NO_SHARES;
    this.serverEtm = false;
    this.serverEms = false;
    this.leafDer = undefined;
    this.ske = undefined;
    this.certRequest = undefined;
    this.readProtIsApp = false;
    this.observedOnly = false;
    this.limits = limits;
    this.hsMessages = new HandshakeReassembler(limits.maxMessageBytes);
    this.handshakeRecords = 0;
    this.idleRecords = 0;
    this.postHandshakeMessages = 0;
    this.smallRecords = 0;
    this.emptyBeforeData = false;
    this.sessionId = sessionId;
    this.helloRetried = false;
    this.flow = undefined;
  }

  get alpnOffer(): string[] {
    return this.options.alpn ?? this.cp.profile.alpn;
  }

  start(): void {
    const p = this.cp.profile;
    if (p.extensions.includes('key_share')) {
      this.shares = this.offerShares();
    }
    this.sendClientHello();
  }

  private sendClientHello(cookie?: Buffer): void {
    const { message, record } = clientHelloRecord(this.cp, {
      random: this.clientRandom,
      sessionId: this.sessionId,
      serverName: this.options.serverName,
      alpn: this.alpnOffer,
      keyShares: this.shares,
      cookie,
    });
    this.transcript.push(message);
    this.out.push(record);
  }

  /** Take the bytes queued for the server. */
  drain(): Buffer | undefined {
    if (this.out.length === 0) return undefined;
    const b = this.out.length === 1 ? this.out[0]! : joinBytes(this.out);
    this.out.length = 0;
    return b;
  }

  feed(chunk: Buffer): void {
    // After a failure or an observe-only stop, later bytes are not ours to interpret.
    if (this.state === 'failed' || this.observedOnly) return;
    this.reader.push(chunk);
    try {
      if (this.reader.looksLikeSslv2()) {
        this.info.sslv2Reply = true;
        this.info.version = 'SSLv2';
        throw new TlsFailure('unsupported', 'server answered in the SSLv2 record format', 'SSLv2 SERVER-HELLO', 0);
      }
      const reader = this.reader;
      for (;;) {
        if ((this.state as HandshakeState) === 'failed' || this.observedOnly) return;
        // Records read in place: no object per record, the fragment a view when it sits in one chunk.
        const offset = reader.offset;
        const type = reader.peekRecord();
        if (type < 0) return;
        const version = reader.recordVersion;
        this.onRecord(type, version, reader.takeFragment(), offset);
      }
    } catch (e) {
      this.failWith(e);
    }
  }

  /** The failure behind `info.error`, for streams that report it as an error event. */
  declare failure: TlsFailure | undefined;

  /**
   * Record a failure as `info.error`. A TlsFailure is classified already; anything
   * else is our own bug (kind `internal`, the exception kept as the failure's
   * cause for the debug log), never the server's doing: code fed with server
   * bytes converts its exceptions into TlsFailures where it calls them.
   */
  failWith(e: unknown): void {
    if (this.state === 'failed') return;
    const f = e instanceof TlsFailure ? e : new TlsFailure('internal', `internal error: ${errorText(e)}`, undefined, this.reader.offset, e);
    this.failure = f;
    this.info.error = { kind: f.kind, message: f.message, ...(f.messageType ? { messageType: f.messageType } : {}), ...(f.offset !== undefined ? { offset: f.offset } : {}) };
    if (f.kind === 'unsupported' && !this.info.notCompletedReason) this.info.notCompletedReason = f.message;
    this.state = 'failed';
  }

  private onRecord(recordType: number, recordVersion: number, fragment: Buffer, offset: number): void {
    if (this.state !== 'done' && ++this.handshakeRecords > this.limits.maxHandshakeRecords) {
      throw new TlsFailure('protocol', `more than ${this.limits.maxHandshakeRecords} records before the handshake ended`, 'record', offset);
    }
    // After the ServerHello, TLS 1.0-1.2 records carry the negotiated version (the MAC covers it, and
    // OpenSSL rejects others); TLS 1.3 ignores the field (RFC 8446 5.1). Alerts pass, so what they say is kept.
    if (this.version && this.version < 0x0304 && recordVersion !== this.version && recordType !== 21) {
      throw new TlsFailure('protocol', `record version 0x${recordVersion.toString(16).padStart(4, '0')} after negotiating ${this.info.version ?? `0x${this.version.toString(16)}`}`, 'record', offset);
    }
    let type = recordType;
    let data = fragment;
    if (this.readProt && !(type === 20 && this.version === 0x0304)) {
      try {
        ({ type, data } = this.readProt.open(recordHeader(recordType, recordVersion, fragment.length), fragment));
      } catch (e) {
        if (e instanceof TlsFailure) e.offset ??= offset;
        throw e;
      }
    }
    // Only application data may be empty (RFC 5246 6.2.1, RFC 8446 5.1 and 5.4).
    if (data.length === 0 && type !== 23) throw new TlsFailure('protocol', `empty ${RECORD_TYPE_NAMES[type] ?? `type ${type}`} record`, 'record', offset);
    if (this.state === 'done') this.countIdle(type, data.length, offset);
    switch (type) {
      case 21:
        return this.onAlert(data, offset);
      case 20:
        if (this.version === 0x0304 && !this.readProtIsApp) {
          // Middlebox-compatibility CCS: dropped, but only the one-byte 0x01 form (RFC 8446 section 5).
          if (data.length !== 1 || data[0] !== 1) throw new TlsFailure('protocol', 'ChangeCipherSpec other than 0x01 in TLS 1.3', 'ChangeCipherSpec', offset);
          return;
        }
        if (!this.flow || !(this.flow instanceof Tls12Flow)) throw new TlsFailure('protocol', 'unexpected ChangeCipherSpec', 'ChangeCipherSpec', offset);
        if (this.hsMessages.pending) throw new TlsFailure('protocol', 'ChangeCipherSpec inside a handshake message', 'ChangeCipherSpec', offset);
        return this.flow.onChangeCipherSpec(data, offset);
      case 22:
        return this.onHandshakeBytes(data, offset);
      case 23:
        if (this.state !== 'done') throw new TlsFailure('protocol', 'application data before the handshake completed', 'ApplicationData', offset);
        if (data.length) {
          if (this.appSink) this.appSink.deliver(data);
          else this.appData.push(data);
        }
        return;
      default:
        throw new TlsFailure('protocol', `unexpected record type ${type}`, 'record', offset);
    }
  }

  /**
   * After the handshake, records that carry no application data are capped per connection, and so are
   * records that carry little (every record costs a decryption: a flood of one-byte records would cost
   * about as much as one of empty ones). An empty application-data record directly before a non-empty
   * one is not counted in TLS 1.0 and SSL 3.0: that is the CBC countermeasure OpenSSL sends before each
   * write unless told not to ("empty fragments").
   */
  private countIdle(type: number, length: number, offset: number): void {
    if (type === 23 && length > 0) {
      if (this.emptyBeforeData) this.idleRecords--;
      this.emptyBeforeData = false;
      if (length < SMALL_RECORD_BYTES && ++this.smallRecords > this.limits.maxSmallRecords) {
        throw new TlsFailure('protocol', `more than ${this.limits.maxSmallRecords} records with less than ${SMALL_RECORD_BYTES} bytes of application data after the handshake`, 'record', offset);
      }
      return;
    }
    this.emptyBeforeData = type === 23 && this.version <= 0x0301;
    if (++this.idleRecords > this.limits.maxIdleRecords) {
      throw new TlsFailure('protocol', `more than ${this.limits.maxIdleRecords} records without application data after the handshake`, 'record', offset);
    }
  }

  private onAlert(data: Buffer, offset: number): void {
    if (data.length !== 2) throw new TlsFailure('protocol', `alert record of ${data.length} bytes`, 'Alert', offset);
    const level = data[0] === 1 ? 'warning' : data[0] === 2 ? 'fatal' : `level_${data[0]}`;
    const code = data[1]!;
    if (this.state === 'done') {
      if (code === 0 || level === 'fatal' || this.version === 0x0304) {
        this.peerClosed = true;
        this.appSink?.peerEnded();
      }
      return;
    }
    this.info.alert = { level, description: alertName(code), code };
    // Warnings other than close_notify (unrecognized_name, no_renegotiation) do not end a TLS 1.2 handshake.
    if (level === 'warning' && code !== 0 && this.version !== 0x0304) return;
    throw new TlsFailure('alert', `server sent ${level} alert ${alertName(code)} (${code})`, 'Alert', offset);
  }

  private onHandshakeBytes(data: Buffer, offset: number): void {
    this.hsMessages.push(data, offset + 5);
    while (this.state !== 'failed') {
      const raw = this.hsMessages.nextRaw();
      if (!raw) return;
      const type = raw[0]!;
      const at = this.hsMessages.messageOffset;
      try {
        this.onMessage(type, raw.subarray(4), raw);
      } catch (e) {
        if (e instanceof TlsFailure) {
          const inner = e.offset ?? 0;
          e.offset = e.messageType === 'record' ? e.offset : at + 4 + inner;
          if (!e.messageType) Object.assign(e, { messageType: handshakeTypeName(type) });
        }
        throw e;
      }
    }
  }

  private onMessage(type: number, body: Buffer, raw: Buffer): void {
    if (this.state === 'done') {
      if (++this.postHandshakeMessages > this.limits.maxPostHandshakeMessages) {
        throw new TlsFailure('protocol', `more than ${this.limits.maxPostHandshakeMessages} handshake messages after the handshake`);
      }
      // Post-handshake: the 1.3 flow records tickets and handles KeyUpdate; before 1.3, a HelloRequest
      // (renegotiation, which we decline by ignoring it) is all a server may send.
      if (this.flow instanceof Tls13Flow) this.flow.onPostHandshake(type, body);
      else if (type !== 0 && type !== 4) throw new TlsFailure('protocol', `unexpected ${handshakeTypeName(type)} after the handshake`);
      return;
    }
    if (!this.flow) {
      if (type !== 2) throw new TlsFailure('protocol', `expected ServerHello, got ${handshakeTypeName(type)}`, handshakeTypeName(type), 0);
      this.onServerHello(body, raw);
      return;
    }
    if (type === 0) return; // HelloRequest: ignored, not in the transcript
    this.flow.onMessage(type, body, raw);
  }

  private onServerHello(body: Buffer, raw: Buffer): void {
    const sh = parseServerHello(body);
    const sv = findExtension(sh.extensions, 43);
    let version = sh.legacyVersion;
    if (sv) {
      if (sv.length !== 2) throw new TlsFailure('protocol', 'ServerHello: malformed supported_versions', 'ServerHello');
      version = (sv[0]! << 8) | sv[1]!;
    }
    const vname = versionName(version);
    if (vname) this.info.version = vname;
    this.suite = cipherSuiteById(sh.cipherSuite);
    this.info.cipherSuite = sharedSuite(sh.cipherSuite);
    this.info.serverExtensions = serverExtensionList(sh.extensions);
    this.serverEtm = findExtension(sh.extensions, 22) !== undefined;
    this.serverEms = findExtension(sh.extensions, 23) !== undefined;
    if (!this.cp.offeredVersions.includes(version)) throw new TlsFailure('protocol', `server chose version 0x${version.toString(16)} that was not offered`, 'ServerHello');
    if (!this.cp.suites.includes(sh.cipherSuite)) throw new TlsFailure('protocol', `server chose cipher suite ${this.info.cipherSuite.name} that was not offered`, 'ServerHello');
    if (sh.compression !== 0) throw new TlsFailure('unsupported', `server chose compression method ${sh.compression}`, 'ServerHello');
    this.version = version;
    this.serverRandom = sh.random;
    if (version === 0x0304) {
      if (sh.isHelloRetry) return this.onHelloRetry(sh, raw);
      this.recordVersion = 0x0303;
      this.transcript.push(raw);
      const flow = new Tls13Flow(this);
      this.flow = flow;
      flow.onServerHello(sh);
      return;
    }
    if (sh.isHelloRetry) throw new TlsFailure('protocol', 'HelloRetryRequest below TLS 1.3', 'ServerHello');
    this.recordVersion = version;
    const alpn = findExtension(sh.extensions, 16);
    if (alpn) this.info.alpn = parseAlpn(alpn);
    this.transcript.push(raw);
    this.flow = new Tls12Flow(this);
  }

  private onHelloRetry(sh: ReturnType<typeof parseServerHello>, raw: Buffer): void {
    if (this.helloRetried) throw new TlsFailure('protocol', 'second HelloRetryRequest', 'ServerHello');
    this.helloRetried = true;
    const ks = findExtension(sh.extensions, 51);
    const cookie = findExtension(sh.extensions, 44);
    const hash: Hash13 = this.suite?.prf ?? 'sha256';
    let group: string | undefined;
    if (ks) {
      if (ks.length !== 2) throw new TlsFailure('protocol', 'HelloRetryRequest: malformed key_share', 'ServerHello');
      group = groupName((ks[0]! << 8) | ks[1]!);
      if (!this.cp.profile.groups.includes(group) || this.shares.some((s) => s.group === group)) {
        throw new TlsFailure('protocol', `HelloRetryRequest asks for group ${group}, not offered or already shared`, 'ServerHello');
      }
      if (!canShare(group)) throw new TlsFailure('unsupported', `HelloRetryRequest asks for group ${group}, which the engine cannot share`, 'ServerHello');
      this.shares = [this.newShare(group)];
    }
    this.info.helloRetry = { ...(group ? { group } : {}), cookie: !!cookie };
    // Transcript: message_hash(Hash(ClientHello1)) replaces the first ClientHello (RFC 8446 4.4.1).
    const ch1 = createHash(hash).update(this.transcript[0]!).digest();
    this.transcript.length = 0;
    this.transcript.push(handshakeMessage(254, ch1), raw);
    this.sendClientHello(cookie ? new ByteReader(cookie, 'cookie').vec16() : undefined);
  }

  /**
   * Our shares for the first hello, one per group of the profile's that the engine can share. While
   * the shares are reused (key-exchange.ts nextKeyShare) the list is the same as the last probe's, and
   * that list (frozen) is taken again: a probe then makes no list that lives as long as it does.
   */
  private offerShares(): KeyShare[] {
    const last = this.cp.lastShares;
    let same = true;
    OFFER.length = 0;
    for (const g of this.cp.profile.keyShares) {
      if (!canShare(g)) continue;
      const share = this.newShare(g);
      if (last[OFFER.length] !== share) same = false;
      OFFER.push(share);
    }
    if (same && OFFER.length === last.length) return last;
    const shares = Object.freeze(OFFER.slice()) as KeyShare[];
    this.cp.lastShares = shares;
    return shares;
  }

  newShare(group: string): KeyShare {
    return this.options.replay ? this.options.replay.share(group) : nextKeyShare(group, this.options.keyShareReuse);
  }

  /** Observations common to both flows. */
  parseCertificate(body: Buffer, tls13: boolean): void {
    const { chain, ocsp } = parseCertificate(body, tls13, this.limits.maxCertificates);
    this.leafDer = chain[0];
    recordChain(this.info, chain, ocsp);
  }

  parseCertificateStatus(body: Buffer): void {
    recordOcsp(this.info, parseCertificateStatus(body));
  }

  /** NewSessionTicket (TLS 1.2 in the handshake, TLS 1.3 after it): kept as `info.sessionTickets`, at most 8. */
  parseNewSessionTicket(body: Buffer): void {
    const ticket = parseNewSessionTicket(body, this.version === 0x0304);
    const tickets = (this.info.sessionTickets ??= []);
    if (tickets.length < 8) tickets.push(ticket);
  }

  parseServerKeyExchange(body: Buffer): ServerKeyExchange {
    const kex = this.suite?.kex;
    if (kex !== 'DHE' && kex !== 'ECDHE') throw new TlsFailure('protocol', `ServerKeyExchange with ${kex ?? 'unknown'} key exchange`, 'ServerKeyExchange');
    const ske = parseServerKeyExchange(body, kex);
    this.info.keyExchange = keyExchangeInfo(ske);
    // After recording them, so the record keeps the sizes of parameters it rejects.
    if (ske.kind === 'DHE') checkDhParameters(ske);
    this.ske = ske;
    return ske;
  }

  parseEncryptedExtensions(body: Buffer): void {
    recordEncryptedExtensions(this.info, body);
  }

  /** Stop after the server's first flight: observe-only, or a suite the engine cannot complete. */
  stopObserving(reason: string, unsupported: boolean): void {
    this.info.notCompletedReason = reason;
    if (unsupported) throw new TlsFailure('unsupported', `not completed: ${reason}`, undefined);
    this.state = 'done';
    this.observedOnly = true;
  }

  /** Why this handshake cannot be completed, or undefined. */
  completionBlocker(): string | undefined {
    if (this.version === 0x0300) return 'SSL 3.0 completion is not implemented';
    if (this.serverEtm && this.suite?.mac !== 'aead') return 'encrypt_then_mac is not implemented';
    return whyNotCompletable(this.suite);
  }

  sendHandshake(msg: Buffer): void {
    this.transcript.push(msg);
    this.out.push(this.writeProt ? this.writeProt.seal(22, msg) : plaintextRecords(22, this.recordVersion, msg));
  }

  complete(read: RecordProtection, write: RecordProtection): void {
    this.readProt = read;
    this.writeProt = write;
    // The stream may live long (a STARTTLS dialog): drop what only the handshake needed.
    this.transcript.length = 0;
    this.leafDer = undefined;
    this.ske = undefined;
    this.shares = NO_SHARES;
    this.info.completed = true;
    this.state = 'done';
  }

  /** Protect application data for the server (records of at most 16 KiB). */
  sealApplicationData(data: Buffer): Buffer {
    const prot = this.writeProt!;
    // One record (a dialog's command): sealed as it is, no view and no join.
    if (data.length > 0 && data.length <= 16384) return prot.seal(23, data);
    const out: Buffer[] = [];
    for (let i = 0; i < data.length; i += 16384) out.push(prot.seal(23, data.subarray(i, i + 16384)));
    return joinBytes(out);
  }

  closeNotify(): Buffer | undefined {
    return this.writeProt?.seal(21, CLOSE_NOTIFY);
  }
}

/** No shares (before start(), after completion, or a profile without key_share). */
const NO_SHARES = Object.freeze([]) as unknown as KeyShare[];

/** The shares being gathered by offerShares() (used again by every call; its result is a copy). */
const OFFER: KeyShare[] = [];

/** `chain` until a Certificate is recorded: one frozen empty list, not an array per probe. */
const NO_CHAIN = Object.freeze([]) as unknown as string[];

/**
 * A handshake's `info` (the record's `tls`): `{}` and then its first keys, in the order the literal
 * `{ chain, ocspStapled, completed }` had them (the same JSON), not that literal. A literal with keys
 * has an allocation site, and `info` lives as long as its record: mid-scan V8 turns the site to
 * "tenure" and throws away every optimized function that inlined it (handshake, ClientHandshake: a
 * second and third compile each). An empty literal has no site.
 */
function newInfo(): TlsInfo {
  const info = {} as TlsInfo;
  info.chain = NO_CHAIN;
  info.ocspStapled = false;
  info.completed = false;
  return info;
}

/** The close_notify alert's body (warning, close_notify): seal() copies it, never changes it. */
const CLOSE_NOTIFY = Buffer.from([1, 0]);

/** One record header, rewritten per protected record: open() uses it (the AEAD's additional data) and keeps nothing of it. */
const HEADER = Buffer.alloc(5);

function recordHeader(type: number, version: number, length: number): Buffer {
  HEADER[0] = type;
  HEADER[1] = version >> 8;
  HEADER[2] = version & 255;
  HEADER[3] = length >> 8;
  HEADER[4] = length & 255;
  return HEADER;
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

const RECORD_TYPE_NAMES: Record<number, string> = { 20: 'ChangeCipherSpec', 21: 'Alert', 22: 'Handshake' };
