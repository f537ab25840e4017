import { timingSafeEqual } from 'node:crypto';
import { randomFromPool } from './random-pool.js';
import type { ClientHandshake } from './client-handshake.js';
import { canShare, dheExchange, rsaEncryptPremaster, sharedSecret } from './key-exchange.js';
import { groupName, handshakeTypeName } from './names.js';
import { sharedKeyExchange } from './observations.js';
import { prf } from './prf.js';
import { RunningHash } from './running-hash.js';
import { BLOCK_LEN, CbcProtection, KEY_LEN, MAC_LEN, Tls12AeadProtection, type RecordProtection } from './record-protection.js';
import { StreamProtection } from './stream-protection.js';
import { TlsFailure } from './tls-failure.js';
import { bitLength } from './server-messages.js';
import { dheLongGeneratorExchange } from './dhe-long-generator.js';
import { handshakeMessage, u16, vec16, vec24, vec8 } from './bytes.js';

/** `master` before the key exchange (empty: nothing to change in it). */
const NO_MASTER = Buffer.alloc(0);

// Order of the server's first-flight messages; each may appear once, in this order.
const FIRST_FLIGHT: Record<number, number> = { 11: 1, 22: 2, 12: 3, 13: 4, 14: 5 };

/** SSL 3.0 to TLS 1.2 after the ServerHello: the first flight, key exchange, ChangeCipherSpec and Finished. */
export class Tls12Flow {
  // Fields declared and set in the constructor in the order the class body defined them: no <instance_members_initializer> per flow.
  private declare readonly hs: ClientHandshake;
  private declare lastOrder: number;
  private declare phase: 'first-flight' | 'await-ccs' | 'await-finished';
  private declare master: Buffer;
  private declare pendingRead: RecordProtection | undefined;
  private declare pendingWrite: RecordProtection | undefined;

  constructor(hs: ClientHandshake) {
    this.hs = hs;
    this.lastOrder = 0;
    this.phase = 'first-flight';
    this.master = NO_MASTER;
    this.pendingRead = undefined;
    this.pendingWrite = undefined;
    this.running = undefined;
    const kex = hs.suite?.kex;
    if (kex === 'RSA') hs.info.keyExchange = sharedKeyExchange('RSA', undefined, undefined);
    else if (kex === 'other' || kex === undefined) hs.info.keyExchange = sharedKeyExchange('other', undefined, undefined);
  }

  onMessage(type: number, body: Buffer, raw: Buffer): void {
    const hs = this.hs;
    const name = handshakeTypeName(type);
    if (this.phase === 'first-flight') {
      const order = FIRST_FLIGHT[type];
      if (!order || order <= this.lastOrder) throw new TlsFailure('protocol', `unexpected ${name} in the server's first flight`, name);
      this.lastOrder = order;
      hs.transcript.push(raw);
      if (type === 11) hs.parseCertificate(body, false);
      else if (type === 22) hs.parseCertificateStatus(body);
      else if (type === 12) hs.parseServerKeyExchange(body);
      else if (type === 13) {
        hs.certRequest = body;
        hs.info.certificateRequested = true;
      } else if (type === 14) {
        if (body.length) throw new TlsFailure('protocol', 'ServerHelloDone with a body', name);
        this.onServerHelloDone();
      }
      return;
    }
    if (this.phase === 'await-ccs' && type === 4) {
      hs.parseNewSessionTicket(body);
      hs.transcript.push(raw);
      return;
    }
    if (this.phase === 'await-finished' && type === 20) {
      const expected = prf(hs.version, hs.suite!.prf, this.master, 'server finished', this.transcriptHash(), 12);
      if (body.length !== 12 || !timingSafeEqual(body, expected)) throw new TlsFailure('protocol', 'server Finished does not verify', name);
      hs.transcript.push(raw);
      hs.complete(this.pendingRead!, this.pendingWrite!);
      return;
    }
    throw new TlsFailure('protocol', `unexpected ${name} (waiting for ${this.phase === 'await-ccs' ? 'ChangeCipherSpec' : 'Finished'})`, name);
  }

  onChangeCipherSpec(data: Buffer, offset: number): void {
    if (this.phase !== 'await-ccs' || data.length !== 1 || data[0] !== 1) {
      throw new TlsFailure('protocol', 'unexpected ChangeCipherSpec', 'ChangeCipherSpec', offset);
    }
    this.hs.readProt = this.pendingRead;
    this.phase = 'await-finished';
  }

  private onServerHelloDone(): void {
    const hs = this.hs;
    if (!hs.suite) return hs.options.observeOnly ? hs.stopObserving('observe-only', false) : hs.stopObserving('unknown cipher suite', true);
    const suite = hs.suite;
    if ((suite.kex === 'DHE' || suite.kex === 'ECDHE') && !hs.ske) throw new TlsFailure('protocol', `${suite.name} without ServerKeyExchange`, 'ServerHelloDone');
    if (hs.options.observeOnly) return hs.stopObserving('observe-only', false);
    const blocker = hs.completionBlocker();
    if (blocker) return hs.stopObserving(blocker, true);
    // Key agreement costs the cube of the prime's size (docs/tls-engine.md): a bigger group is recorded, not computed.
    const dhBits = hs.ske?.kind === 'DHE' ? bitLength(hs.ske.p) : 0;
    if (dhBits > hs.limits.maxDhPrimeBits) return hs.stopObserving(`DH prime of ${dhBits} bits exceeds the ${hs.limits.maxDhPrimeBits}-bit cap`, true);

    if (hs.certRequest) hs.sendHandshake(handshakeMessage(11, vec24(Buffer.alloc(0))));
    let premaster: Buffer;
    let cke: Buffer;
    const ske = hs.ske;
    if (suite.kex === 'RSA') {
      const leaf = hs.leafDer;
      if (!leaf) throw new TlsFailure('protocol', 'RSA key exchange without a server certificate', 'Certificate');
      premaster = Buffer.concat([u16(hs.cp.clientVersion), randomFromPool(46)]);
      cke = vec16(rsaEncryptPremaster(leaf, premaster));
    } else if (ske?.kind === 'DHE') {
      // A generator past 31 bits would take dheExchange to createDiffieHellman, which tests the prime (seconds).
      const exchange = bitLength(ske.g) > 31 ? dheLongGeneratorExchange : dheExchange;
      const { publicKey, premaster: pms } = exchange(ske.p, ske.g, ske.ys);
      premaster = pms;
      cke = vec16(publicKey);
    } else if (ske?.kind === 'ECDHE') {
      const group = groupName(ske.group);
      if (ske.curveType !== 3 || !canShare(group)) return hs.stopObserving(`ECDHE group ${group} is not implemented`, true);
      const share = hs.newShare(group);
      premaster = sharedSecret(share, ske.point, 'ServerKeyExchange');
      cke = vec8(share.publicKey);
    } else {
      throw new TlsFailure('protocol', 'no key exchange parameters', 'ServerHelloDone');
    }
    hs.sendHandshake(handshakeMessage(16, cke));

    const ems = hs.serverEms && hs.cp.profile.extensions.includes('extended_master_secret');
    this.master = ems
      ? prf(hs.version, suite.prf, premaster, 'extended master secret', this.transcriptHash(), 48)
      : prf(hs.version, suite.prf, premaster, 'master secret', Buffer.concat([hs.clientRandom, hs.serverRandom]), 48);
    this.deriveKeys();

    hs.out.push(Buffer.from([20, hs.recordVersion >> 8, hs.recordVersion & 255, 0, 1, 1]));
    hs.writeProt = this.pendingWrite;
    const verify = prf(hs.version, suite.prf, this.master, 'client finished', this.transcriptHash(), 12);
    hs.sendHandshake(handshakeMessage(20, verify));
    this.phase = 'await-ccs';
  }

  private declare running: RunningHash | undefined;

  private transcriptHash(): Buffer {
    this.running ??= RunningHash.forVersion(this.hs.version, this.hs.suite!.prf);
    return this.running.of(this.hs.transcript);
  }

  /** Key block of RFC 5246 section 6.3: MAC keys, cipher keys, IVs (none for RC4, a 4-byte salt for GCM). */
  private deriveKeys(): void {
    const hs = this.hs;
    const suite = hs.suite!;
    const aead = suite.mac === 'aead';
    const stream = suite.cipher === 'rc4';
    const macLen = aead ? 0 : MAC_LEN[suite.mac]!;
    const keyLen = KEY_LEN[suite.cipher]!;
    const ivLen = aead ? (suite.cipher === 'chacha20-poly1305' ? 12 : 4) : stream ? 0 : BLOCK_LEN[suite.cipher]!;
    const kb = prf(hs.version, suite.prf, this.master, 'key expansion', Buffer.concat([hs.serverRandom, hs.clientRandom]), 2 * (macLen + keyLen + ivLen));
    let o = 0;
    const take = (n: number) => kb.subarray(o, (o += n));
    const cMac = take(macLen);
    const sMac = take(macLen);
    const cKey = take(keyLen);
    const sKey = take(keyLen);
    const cIv = take(ivLen);
    const sIv = take(ivLen);
    const v = hs.recordVersion;
    if (aead) {
      this.pendingWrite = new Tls12AeadProtection(suite.cipher, cKey, cIv, v);
      this.pendingRead = new Tls12AeadProtection(suite.cipher, sKey, sIv, v);
    } else if (stream) {
      this.pendingWrite = new StreamProtection(cKey, cMac, suite.mac, v);
      this.pendingRead = new StreamProtection(sKey, sMac, suite.mac, v);
    } else {
      this.pendingWrite = new CbcProtection(suite.cipher, cKey, cMac, suite.mac, cIv, v);
      this.pendingRead = new CbcProtection(suite.cipher, sKey, sMac, suite.mac, sIv, v);
    }
  }
}
