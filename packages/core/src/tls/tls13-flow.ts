import { timingSafeEqual } from 'node:crypto';
import { RunningHash } from './running-hash.js';
import type { ClientHandshake } from './client-handshake.js';
import { DeferredProtection, KEY_LEN, Tls13Protection } from './record-protection.js';
import { applicationSecret, finishedVerifyData, handshakeSecrets, hkdfExpandLabel, hashLen, masterSecret, trafficKeys, type Hash13 } from './key-schedule13.js';
import { GROUP_BITS, groupName, handshakeTypeName } from './names.js';
import { sharedKeyExchange } from './observations.js';
import { sharedSecret, type KeyShare } from './key-exchange.js';
import { findExtension, type ServerHello } from './server-messages.js';
import { TlsFailure } from './tls-failure.js';
import { ByteReader, handshakeMessage, vec24, vec8 } from './bytes.js';

const EMPTY = Buffer.alloc(0);

/** The middlebox-compatibility ChangeCipherSpec record, shared: only ever copied into the flight (drain() joins it with the Finished). */
const COMPAT_CCS = Buffer.from([20, 3, 3, 0, 1, 1]);

type Expect = 'EncryptedExtensions' | 'CertificateOrRequest' | 'Certificate' | 'CertificateVerify' | 'Finished';

/** TLS 1.3 after the ServerHello: handshake keys, the encrypted flight, Finished both ways. */
export class Tls13Flow {
  // Fields declared and set in the constructor in the order the class body defined them (`running`
  // and `serverFinishedHash` too): no <instance_members_initializer> per flow.
  private declare readonly hs: ClientHandshake;
  private declare expect: Expect;
  private declare hash: Hash13;
  private declare clientHs: Buffer;
  private declare serverHs: Buffer;
  private declare handshakeSecret: Buffer;
  private declare master: Buffer;
  private declare serverApp: Buffer;
  private declare clientApp: Buffer;
  private declare cipher: string;
  private declare requestContext: Buffer | undefined;

  constructor(hs: ClientHandshake) {
    this.hs = hs;
    this.expect = 'EncryptedExtensions';
    this.hash = 'sha256';
    this.clientHs = EMPTY;
    this.serverHs = EMPTY;
    this.handshakeSecret = EMPTY;
    this.master = EMPTY;
    this.serverApp = EMPTY;
    this.clientApp = EMPTY;
    this.cipher = '';
    this.requestContext = undefined;
    this.running = undefined;
    this.serverFinishedHash = EMPTY;
  }

  private declare running: RunningHash | undefined;

  /** The transcript's hash so far; `last`: no later point needs it (no copy of the running hash is made). */
  private transcriptHash(last = false): Buffer {
    this.running ??= new RunningHash([this.hash]);
    return last ? this.running.last(this.hs.transcript) : this.running.of(this.hs.transcript);
  }

  onServerHello(sh: ServerHello): void {
    const hs = this.hs;
    const suite = hs.suite;
    if (!suite || suite.kex !== 'TLS13') throw new TlsFailure('protocol', `TLS 1.3 with non-1.3 suite ${hs.info.cipherSuite?.name}`, 'ServerHello');
    this.hash = suite.prf;
    const ks = findExtension(sh.extensions, 51);
    if (!ks) throw new TlsFailure('protocol', 'TLS 1.3 ServerHello without key_share (PSK was not offered)', 'ServerHello');
    const r = new ByteReader(ks, 'key_share');
    const group = groupName(r.u16());
    const peer = r.vec16();
    r.end();
    hs.info.keyExchange = sharedKeyExchange('TLS13', group, GROUP_BITS[group] || undefined);
    let share: KeyShare | undefined;
    for (const s of hs.shares) {
      if (s.group === group) {
        share = s;
        break;
      }
    }
    if (!share) throw new TlsFailure('protocol', `server key share for ${group}, which was not offered`, 'ServerHello');
    const blocker = hs.completionBlocker();
    if (blocker) throw new TlsFailure('unsupported', `cannot decrypt the TLS 1.3 flight: ${blocker}`, 'ServerHello');
    this.cipher = suite.cipher;
    const secrets = handshakeSecrets(this.hash, sharedSecret(share, peer, 'ServerHello'), this.transcriptHash());
    this.handshakeSecret = secrets.handshakeSecret;
    this.clientHs = secrets.clientHs;
    this.serverHs = secrets.serverHs;
    const k = trafficKeys(this.hash, this.serverHs, KEY_LEN[this.cipher]!);
    hs.readProt = new Tls13Protection(this.cipher, k.key, k.iv);
  }

  onMessage(type: number, body: Buffer, raw: Buffer): void {
    const hs = this.hs;
    const name = handshakeTypeName(type);
    switch (this.expect) {
      case 'EncryptedExtensions':
        if (type !== 8) break;
        hs.parseEncryptedExtensions(body);
        hs.transcript.push(raw);
        this.expect = 'CertificateOrRequest';
        return;
      case 'CertificateOrRequest':
        if (type === 13) {
          const r = new ByteReader(body, 'CertificateRequest');
          this.requestContext = r.vec8();
          hs.info.certificateRequested = true;
          hs.transcript.push(raw);
          this.expect = 'Certificate';
          return;
        }
        if (type !== 11) break;
        return this.onCertificate(body, raw);
      case 'Certificate':
        if (type !== 11) break;
        return this.onCertificate(body, raw);
      case 'CertificateVerify':
        if (type !== 15) break;
        hs.transcript.push(raw);
        this.expect = 'Finished';
        return;
      case 'Finished': {
        if (type !== 20) break;
        const expected = finishedVerifyData(this.hash, this.serverHs, this.transcriptHash());
        if (body.length !== expected.length || !timingSafeEqual(body, expected)) {
          throw new TlsFailure('protocol', 'server Finished does not verify', 'Finished');
        }
        hs.transcript.push(raw);
        if (hs.options.observeOnly) return hs.stopObserving('observe-only', false);
        return this.sendClientFlight();
      }
    }
    throw new TlsFailure('protocol', `expected ${this.expect}, got ${name}`, name);
  }

  private onCertificate(body: Buffer, raw: Buffer): void {
    this.hs.parseCertificate(body, true);
    this.hs.transcript.push(raw);
    this.expect = 'CertificateVerify';
  }

  private sendClientFlight(): void {
    const hs = this.hs;
    // Application secrets hash the transcript through the server's Finished; without a client
    // Certificate, no later point needs the transcript.
    const serverFinishedHash = this.transcriptHash(!this.requestContext);
    // Middlebox compatibility: a dummy ChangeCipherSpec before our encrypted flight.
    if (hs.cp.profile.sessionIdLength > 0) hs.out.push(COMPAT_CCS);
    const ck = trafficKeys(this.hash, this.clientHs, KEY_LEN[this.cipher]!);
    hs.writeProt = new Tls13Protection(this.cipher, ck.key, ck.iv);
    if (this.requestContext) hs.sendHandshake(handshakeMessage(11, Buffer.concat([vec8(this.requestContext), vec24(EMPTY)])));
    hs.sendHandshake(handshakeMessage(20, finishedVerifyData(this.hash, this.clientHs, this.requestContext ? this.transcriptHash(true) : serverFinishedHash)));
    hs.readProtIsApp = true;
    this.serverFinishedHash = serverFinishedHash;
    hs.complete(this.applicationProtection('server'), this.applicationProtection('client'));
  }

  private declare serverFinishedHash: Buffer;

  /**
   * Application keys are derived on first use, each side's on its own: a probe that completes and
   * closes at once derives the client's alone (for its close_notify), never the server's, which only
   * data read after the handshake needs.
   */
  private applicationProtection(side: 'client' | 'server'): DeferredProtection {
    return new DeferredProtection(() => {
      const k = trafficKeys(this.hash, this.applicationSecret(side), KEY_LEN[this.cipher]!);
      return new Tls13Protection(this.cipher, k.key, k.iv);
    });
  }

  /** One side's current application traffic secret, derived on first use. */
  private applicationSecret(side: 'client' | 'server'): Buffer {
    const current = side === 'server' ? this.serverApp : this.clientApp;
    if (current.length) return current;
    if (this.master.length === 0) this.master = masterSecret(this.hash, this.handshakeSecret);
    const secret = applicationSecret(this.hash, this.master, side, this.serverFinishedHash);
    if (side === 'server') this.serverApp = secret;
    else this.clientApp = secret;
    return secret;
  }

  /** NewSessionTicket is recorded; KeyUpdate rolls the server's key (and ours when asked). */
  onPostHandshake(type: number, body: Buffer): void {
    if (type === 4) return this.hs.parseNewSessionTicket(body);
    if (type !== 24) throw new TlsFailure('protocol', `unexpected ${handshakeTypeName(type)} after the handshake`);
    // A KeyUpdate arrives in a record opened with the current keys, so the server's secret exists by now.
    const len = hashLen(this.hash);
    this.serverApp = hkdfExpandLabel(this.hash, this.applicationSecret('server'), 'traffic upd', EMPTY, len);
    const sk = trafficKeys(this.hash, this.serverApp, KEY_LEN[this.cipher]!);
    this.hs.readProt = new Tls13Protection(this.cipher, sk.key, sk.iv);
    if (body[0] === 1) {
      this.hs.out.push(this.hs.writeProt!.seal(22, handshakeMessage(24, Buffer.from([0]))));
      this.clientApp = hkdfExpandLabel(this.hash, this.applicationSecret('client'), 'traffic upd', EMPTY, len);
      const wk = trafficKeys(this.hash, this.clientApp, KEY_LEN[this.cipher]!);
      this.hs.writeProt = new Tls13Protection(this.cipher, wk.key, wk.iv);
    }
  }
}
