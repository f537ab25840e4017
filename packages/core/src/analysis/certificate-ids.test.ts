import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CertificateIds } from './certificate-ids.js';

describe('CertificateIds', () => {
  it('one id per distinct DER, consecutive, the same again for a repeated text and for another text of the same DER', () => {
    const ids = new CertificateIds();
    const ders = Array.from({ length: 3000 }, (_, i) => Buffer.from(`certificate ${i} `.repeat(1 + (i % 7))));
    const seen: number[] = [];
    for (let i = 0; i < ders.length; i++) {
      expect(ids.id(ders[i]!.toString('base64'), (id, der) => (seen.push(id), expect(der).toEqual(ders[i])))).toBe(i);
      // The same text straight after (the newest text) and later: no new id, no onNew.
      expect(ids.id(ders[i]!.toString('base64'), () => seen.push(-1))).toBe(i);
    }
    expect(seen).toEqual(ders.map((_, i) => i));
    expect(ids.size).toBe(3000);
    // Another text of the same DER (base64 with a line break, as Buffer.from accepts it): the same id.
    const b64 = ders[1234]!.toString('base64');
    const wrapped = `${b64.slice(0, 8)}\n${b64.slice(8)}`;
    expect(ids.id(wrapped, () => seen.push(-2))).toBe(1234);
    expect(ids.id(wrapped)).toBe(1234);
    expect(seen.length).toBe(3000);
    expect(ids.size).toBe(3000);
    expect(ids.fingerprint(1234)).toEqual(createHash('sha256').update(ders[1234]!).digest());
    expect(() => ids.fingerprint(3000)).toThrow(RangeError);
  });
});
