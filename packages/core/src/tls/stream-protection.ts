import { createHmac, timingSafeEqual } from 'node:crypto';
import { header, MAC_LEN, seqBytes, type RecordProtection } from './record-protection.js';
import { Rc4 } from './rc4.js';
import { TlsFailure } from './tls-failure.js';

/**
 * Stream-cipher record protection (RC4-128) for TLS 1.0 to 1.2, RFC 5246
 * section 6.2.3.1: MAC-then-encrypt, no IV, no padding; the cipher state runs
 * on across the records of one direction.
 */
export class StreamProtection implements RecordProtection {
  // Fields declared and set in the constructor in the order the class body defined them: no <instance_members_initializer> per object.
  private declare readonly macKey: Buffer;
  private declare readonly macHash: string;
  private declare readonly version: number;
  private declare seq: bigint;
  private declare readonly rc4: Rc4;
  private declare readonly macLen: number;
  constructor(key: Buffer, macKey: Buffer, macHash: string, version: number) {
    this.macKey = macKey;
    this.macHash = macHash;
    this.version = version;
    this.seq = 0n;
    this.rc4 = new Rc4(key);
    this.macLen = MAC_LEN[macHash]!;
  }

  private mac(seq: bigint, type: number, data: Buffer): Buffer {
    return createHmac(this.macHash, this.macKey).update(seqBytes(seq)).update(header(type, this.version, data.length)).update(data).digest();
  }

  seal(type: number, plaintext: Buffer): Buffer {
    const mac = this.mac(this.seq++, type, plaintext);
    const len = plaintext.length + mac.length;
    const out = Buffer.allocUnsafe(5 + len);
    header(type, this.version, len).copy(out);
    plaintext.copy(out, 5);
    mac.copy(out, 5 + plaintext.length);
    const body = out.subarray(5);
    this.rc4.update(body, body);
    return out;
  }

  open(h: Buffer, fragment: Buffer): { type: number; data: Buffer } {
    const seq = this.seq++;
    const type = h[0]!;
    if (fragment.length < this.macLen) throw new TlsFailure('protocol', 'stream-cipher record shorter than its MAC', 'record');
    const pt = this.rc4.update(fragment, Buffer.allocUnsafe(fragment.length)) as Buffer;
    const data = pt.subarray(0, pt.length - this.macLen);
    const mac = pt.subarray(pt.length - this.macLen);
    if (!timingSafeEqual(mac, this.mac(seq, type, data))) throw new TlsFailure('protocol', 'record MAC mismatch (bad_record_mac)', 'record');
    return { type, data };
  }
}
