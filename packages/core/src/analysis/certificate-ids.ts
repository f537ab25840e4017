import { createHash, hash } from 'node:crypto';
import { DigestIds } from './digest-ids.js';

/**
 * Consecutive ids (0, 1, 2, ...) for the distinct certificates (by the
 * SHA-256 of the DER) of base64 texts, kept off V8's heap: a record's
 * certificate is looked up by a one-shot hash of its base64 text (no
 * decoding, no Buffer per record), in typed-array tables (DigestIds); only a
 * text not seen before is decoded and hashed as DER, so two texts of one DER
 * have one id. About 85 bytes a distinct certificate, where a Map of text
 * hash to hex fingerprint costs some 170 bytes of heap; sets of the ids fit
 * in core's IntSet (issue 18).
 */
export class CertificateIds {
  private readonly texts = new DigestIds();
  private readonly certs = new DigestIds();
  /** By text id: the certificate id. */
  private certOfText = new Int32Array(1024);

  /** Distinct certificates. */
  get size(): number {
    return this.certs.size;
  }

  /** The certificate's id; `onNew` sees the DER of a certificate not seen before, with its id. */
  id(b64: string, onNew?: (id: number, der: Buffer) => void): number {
    const texts = this.texts.size;
    const textId = this.texts.id(hash('sha256', b64, 'buffer'));
    if (textId < texts) return this.certOfText[textId]!;
    const der = Buffer.from(b64, 'base64');
    const before = this.certs.size;
    const id = this.certs.id(createHash('sha256').update(der).digest());
    if (textId === this.certOfText.length) {
      const more = new Int32Array(this.certOfText.length * 2);
      more.set(this.certOfText);
      this.certOfText = more;
    }
    this.certOfText[textId] = id;
    if (id === before) onNew?.(id, der);
    return id;
  }

  /** The SHA-256 of the certificate's DER. */
  fingerprint(id: number): Buffer {
    const d = this.certs.digest(id);
    if (!d) throw new RangeError(`certificate-ids: no certificate ${id}`);
    return d;
  }
}
