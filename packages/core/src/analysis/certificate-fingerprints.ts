import { createHash, hash } from 'node:crypto';

/**
 * SHA-256 fingerprints of base64 certificates, fast: a record's certificate
 * is looked up by a hash of its base64 text (no decoding, no Buffer per
 * record); only a text not seen before is decoded and hashed as DER. Two
 * texts of the same DER map to the same fingerprint.
 */
export class CertificateFingerprints {
  private readonly byText = new Map<string, string>();

  /** The DER's SHA-256 (hex), and the DER when this text is new. */
  lookup(b64: string): { fp: string; der?: Buffer } {
    const t = hash('sha256', b64, 'base64'); // one-shot: a quarter of createHash's cost on short input
    const fp = this.byText.get(t);
    if (fp !== undefined) return { fp };
    const der = Buffer.from(b64, 'base64');
    const derFp = createHash('sha256').update(der).digest('hex');
    this.byText.set(t, derFp);
    return { fp: derFp, der };
  }

  get size(): number {
    return this.byText.size;
  }
}
