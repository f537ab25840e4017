import type { TlsInfo } from '../record/tls-schema.js';
import { cipherSuiteById } from '../tls/cipher-suites.js';
import { parseClientHello, type ClientHello } from '../tls/client-hello-parse.js';
import { HandshakeReassembler } from '../tls/handshake-reassembler.js';
import { DEFAULT_TLS_LIMITS, type TlsLimits } from '../tls/limits.js';
import { alertName, GROUP_BITS, groupName, versionName } from '../tls/names.js';
import { keyExchangeInfo, parseAlpn, recordOcsp } from '../tls/observations.js';
import { RecordReader } from '../tls/record-reader.js';
import { readServerHello } from '../tls/server-hello-read.js';
import { findExtension, parseCertificate, parseCertificateStatus, parseNewSessionTicket, parseServerKeyExchange } from '../tls/server-messages.js';
import { TlsFailure } from '../tls/tls-failure.js';
import { knownChain, rememberCertificate, sharedChain, sharedKeyExchange, sharedServerExtensions, sharedSuite, sharedTicket12 } from './passive-tls.js';

type Side = 'client' | 'server';

/** One direction of a TLS connection seen from the wire: records, and handshake messages until its ChangeCipherSpec. */
class SideState {
  readonly records = new RecordReader();
  readonly messages: HandshakeReassembler;
  recordCount = 0;
  /** ChangeCipherSpec sent: what follows is encrypted. */
  ccs = false;
  /** Records of type 23 (application data, or TLS 1.3's encrypted handshake). */
  appRecords = 0;
  /** Largest type-23 record after the handshake: tells a TLS 1.3 Finished from an encrypted alert. */
  encryptedAfterCcs = 0;
  constructor(limits: TlsLimits) {
    this.messages = new HandshakeReassembler(limits.maxMessageBytes);
  }
}

/** An encrypted TLS 1.3 alert record: 2 bytes of alert, 1 of content type, a 16-byte AEAD tag. */
const ENCRYPTED_ALERT_BYTES = 19;

/**
 * Follows one TLS handshake from both directions' bytes with the engine's own
 * record reader, handshake reassembler and message parsers, and writes what it
 * sees as the record's `tls` part. It holds no key: it sees the plaintext
 * messages (all of TLS 1.2's first flights; the hellos of TLS 1.3) and counts
 * the encrypted records after them. Costs are the engine's: linear in the
 * bytes, every message capped; a parse failure ends following with a
 * classified `tls.error`, never an exception out of `push`.
 */
export class TlsFollower {
  readonly info: TlsInfo = { chain: [], ocspStapled: false, completed: false };
  clientHello: ClientHello | undefined;
  /** The server resumed a session (session id or ticket in TLS 1.2, PSK in TLS 1.3). */
  resumed = false;
  /** The client sent application data after its Finished. */
  applicationData = false;
  /** Who sent the alert in `info.alert`. */
  alertFrom: Side | undefined;
  /** Following ended: the handshake failed, or it completed and the client sent application data, or the bytes stopped making sense. */
  done = false;
  private readonly side: Record<Side, SideState>;
  private version = 0;
  private serverFlight: number[] = [];

  constructor(private readonly limits: TlsLimits = DEFAULT_TLS_LIMITS) {
    this.side = { client: new SideState(limits), server: new SideState(limits) };
  }

  /**
   * One direction's next bytes. They need stay valid during the call only (a view of a capture's read
   * buffer): what is kept after it is copied (a record not yet whole, the ClientHello).
   */
  push(from: Side, bytes: Buffer): void {
    if (this.done) return;
    const s = this.side[from];
    const records = s.records;
    try {
      // No object per record, and no buffer of those only counted (ChangeCipherSpec, encrypted records).
      // (After following ended the next record's header is still read, as the reader's next() did: a header that is not a record's fails following.)
      let p = 0;
      if (records.pending === 0) {
        // Nothing queued: the whole records at the front of these bytes are read where they are.
        for (let type = records.peekRecordIn(bytes, p); type >= 0 && !this.done; type = records.peekRecordIn(bytes, p)) {
          const offset = records.offset;
          const length = records.recordLength;
          this.countRecord(s, offset);
          records.passRecord();
          p += 5 + length;
          if (this.opaque(s, type)) this.onOpaqueRecord(from, s, type, length);
          else this.onRecord(from, s, type, bytes.subarray(p - length, p), offset);
        }
        if (this.done) return;
      }
      if (p < bytes.length) records.push(p === 0 ? bytes : bytes.subarray(p));
      for (let type = records.peekRecord(); type >= 0 && !this.done; type = records.peekRecord()) {
        const offset = records.offset;
        this.countRecord(s, offset);
        if (this.opaque(s, type)) {
          const length = records.recordLength;
          records.skipRecord();
          this.onOpaqueRecord(from, s, type, length);
        } else {
          this.onRecord(from, s, type, records.takeFragment(), offset);
        }
      }
    } catch (err) {
      this.fail(from, err);
    }
    if (!this.done) s.records.own();
  }

  private countRecord(s: SideState, offset: number): void {
    if (++s.recordCount > this.limits.maxHandshakeRecords) throw new TlsFailure('protocol', `more than ${this.limits.maxHandshakeRecords} records before the handshake ended`, 'record', offset);
  }

  /** A record whose bytes are not read (onOpaqueRecord): ChangeCipherSpec, application data, a handshake record after ChangeCipherSpec. */
  private opaque(s: SideState, type: number): boolean {
    return type === 20 || type === 23 || (type === 22 && s.ccs);
  }

  /** Whether the handshake completed: both sides past ChangeCipherSpec with their Finished (TLS 1.3: the client's Finished). */
  private checkCompleted(): void {
    const c = this.side.client;
    const s = this.side.server;
    const done13 = this.version === 0x0304 && s.appRecords > 0 && c.encryptedAfterCcs > ENCRYPTED_ALERT_BYTES;
    const done12 = this.version !== 0x0304 && this.version !== 0 && c.ccs && s.ccs && c.encryptedAfterCcs > 0 && s.encryptedAfterCcs > 0;
    if (done13 || done12) this.info.completed = true;
  }

  /** A record whose bytes are not read: ChangeCipherSpec, and encrypted ones (application data, or a handshake after ChangeCipherSpec), by their length. */
  private onOpaqueRecord(from: Side, s: SideState, type: number, length: number): void {
    if (type === 20) {
      // TLS 1.3's middlebox-compatibility ChangeCipherSpec changes nothing; before 1.3 encryption starts.
      if (this.version !== 0x0304) s.ccs = true;
      return;
    }
    if (this.info.completed) {
      // The client's first record after its Finished: application data; nothing more is wanted.
      // (A TLS 1.3 record of alert size is the client's encrypted close_notify, not data.)
      if (from === 'client' && type === 23 && !(this.version === 0x0304 && length === ENCRYPTED_ALERT_BYTES)) {
        this.applicationData = true;
        this.done = true;
      }
      return;
    }
    if (type === 23) s.appRecords++;
    if (s.ccs || this.version === 0x0304) s.encryptedAfterCcs = Math.max(s.encryptedAfterCcs, length);
    this.checkCompleted();
  }

  /** An alert, a handshake record before ChangeCipherSpec, or a heartbeat. */
  private onRecord(from: Side, s: SideState, type: number, fragment: Buffer, offset: number): void {
    if (type === 21) {
      if (s.ccs || (this.version === 0x0304 && from === 'server' && this.serverFlight.length > 0)) return; // encrypted alert: unreadable
      this.onAlert(from, fragment, offset);
      return;
    }
    if (type !== 22) return; // heartbeat (24): nothing to record
    const messages = s.messages;
    messages.push(fragment, offset);
    for (let body = messages.nextBody(); body; body = messages.nextBody()) {
      this.onMessage(from, messages.messageType, body);
      if (this.done) return;
    }
  }

  private onAlert(from: Side, data: Buffer, offset: number): void {
    if (data.length !== 2) throw new TlsFailure('protocol', `alert record of ${data.length} bytes`, 'Alert', offset);
    const code = data[1]!;
    const level = data[0] === 2 ? 'fatal' : 'warning';
    if (code === 0) return; // close_notify
    this.info.alert = { level, description: alertName(code), code };
    this.alertFrom = from;
    if (level === 'fatal') {
      this.info.error = { kind: 'alert', message: `${from} sent fatal alert ${alertName(code)} (${code})`, messageType: 'Alert', offset };
      this.info.notCompletedReason = `${from} sent fatal alert ${alertName(code)}`;
      this.done = true;
    }
  }

  private onMessage(from: Side, type: number, body: Buffer): void {
    if (from === 'client') {
      // Parsed from a copy: the hello (its session id, its extensions' bytes) is kept until the record is made.
      if (type === 1 && !this.clientHello) this.clientHello = parseClientHello(Buffer.from(body));
      return;
    }
    if (type === 2) return this.onServerHello(body);
    if (this.version === 0x0304) return; // only the hellos of TLS 1.3 are in the clear
    this.serverFlight.push(type);
    if (type === 11) {
      // (TLS 1.2's form carries no OCSP response: that comes in CertificateStatus.)
      let chain = knownChain(body, this.limits.maxCertificates);
      if (chain === undefined) {
        chain = sharedChain(parseCertificate(body, false, this.limits.maxCertificates).chain);
        rememberCertificate(body, chain);
      }
      this.info.chain = chain;
    } else if (type === 22) recordOcsp(this.info, parseCertificateStatus(body));
    else if (type === 12) {
      const kex = this.info.cipherSuite ? cipherSuiteById(this.info.cipherSuite.id)?.kex : undefined;
      if (kex === 'DHE' || kex === 'ECDHE') {
        const k = keyExchangeInfo(parseServerKeyExchange(body, kex));
        this.info.keyExchange = sharedKeyExchange(k.kind, k.group, k.bits);
      }
    } else if (type === 13) this.info.certificateRequested = true;
    else if (type === 4) {
      const tickets = (this.info.sessionTickets ??= []);
      if (tickets.length < 8) tickets.push(sharedTicket12(body) ?? parseNewSessionTicket(body, false));
    }
  }

  private onServerHello(body: Buffer): void {
    const sh = readServerHello(body);
    const sv = findExtension(sh.extensions, 43);
    const version = sv && sv.length === 2 ? sv.readUInt16BE(0) : sh.legacyVersion;
    if (sh.isHelloRetry) {
      const ks = findExtension(sh.extensions, 51);
      this.info.helloRetry = { ...(ks && ks.length === 2 ? { group: groupName(ks.readUInt16BE(0)) } : {}), cookie: findExtension(sh.extensions, 44) !== undefined };
      this.clientHello = undefined; // the second ClientHello is the one that counts
      return;
    }
    this.version = version;
    const name = versionName(version);
    if (name) this.info.version = name;
    // Shared, frozen pieces (the same for every connection to a server), their JSON text remembered (passive-tls.ts).
    this.info.cipherSuite = sharedSuite(sh.cipherSuite);
    this.info.serverExtensions = sharedServerExtensions(sh.extensions);
    const alpn = findExtension(sh.extensions, 16);
    if (alpn) this.info.alpn = parseAlpn(alpn);
    if (version === 0x0304) {
      const ks = findExtension(sh.extensions, 51);
      const group = ks && ks.length >= 2 ? groupName(ks.readUInt16BE(0)) : undefined;
      this.info.keyExchange = sharedKeyExchange('TLS13', group || undefined, group && GROUP_BITS[group] ? GROUP_BITS[group] : undefined);
      this.resumed = findExtension(sh.extensions, 41) !== undefined;
      return;
    }
    const kex = cipherSuiteById(sh.cipherSuite)?.kex;
    if (kex === 'RSA') this.info.keyExchange = sharedKeyExchange('RSA', undefined, undefined);
    else if (kex !== 'DHE' && kex !== 'ECDHE') this.info.keyExchange = sharedKeyExchange('other', undefined, undefined);
    const offeredId = this.clientHello?.sessionId;
    this.resumed = !!offeredId && offeredId.length > 0 && offeredId.equals(sh.sessionId);
  }

  /** A TLS 1.2 server that went from ServerHello straight to ChangeCipherSpec resumed (session id or ticket). */
  abbreviated(): boolean {
    return this.version !== 0x0304 && this.version !== 0 && this.side.server.ccs && !this.serverFlight.some((t) => t === 11 || t === 14);
  }

  /** The negotiated version is TLS 1.3: the chain and the server's other messages are encrypted. */
  get tls13(): boolean {
    return this.version === 0x0304;
  }

  /** The handshake's messages as the record states them when following ends. */
  finish(): TlsInfo {
    if (this.abbreviated()) this.resumed = true;
    if (!this.info.completed && !this.info.notCompletedReason) {
      this.info.notCompletedReason = this.version === 0 ? (this.clientHello ? 'no ServerHello seen' : 'no ClientHello seen') : 'the handshake did not finish in the capture';
    }
    return this.info;
  }

  private fail(from: Side, err: unknown): void {
    this.done = true;
    if (err instanceof TlsFailure) {
      this.info.error = { kind: err.kind, message: `${from}: ${err.message}`, ...(err.messageType ? { messageType: err.messageType } : {}), ...(err.offset !== undefined ? { offset: err.offset } : {}) };
      this.info.notCompletedReason = `the ${from}'s bytes are not a well-formed TLS handshake`;
      return;
    }
    throw err;
  }
}

