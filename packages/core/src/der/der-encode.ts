/** The little DER encoding the TLS engine needs to hand DH keys to node:crypto (SubjectPublicKeyInfo / PKCS#8). */

/** The dhKeyAgreement (PKCS #3) algorithm OID, encoded with its tag. */
export const DH_OID = Buffer.from('06092a864886f70d010301', 'hex');

function derLen(n: number): Buffer {
  if (n < 128) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 255);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV. */
export function der(tag: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLen(body.length), body]);
}

/** An INTEGER from unsigned big-endian bytes (leading zeros dropped, a 0 added when the top bit is set). */
export function derInt(v: Buffer): Buffer {
  let i = 0;
  while (i < v.length - 1 && v[i] === 0) i++;
  const t = v.subarray(i);
  return der(2, t[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), t]) : t);
}
