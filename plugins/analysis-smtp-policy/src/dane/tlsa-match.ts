import { createHash, X509Certificate } from 'node:crypto';

/** One TLSA record (RFC 6698 2.1): certificate usage, selector, matching type, association data. */
export interface Tlsa {
  usage: number;
  selector: number;
  matchingType: number;
  data: Uint8Array;
}

/**
 * The outcome of a host's TLSA records against the chain it sent:
 * - match: a usable record matched (usage 3: the leaf; usage 2: a
 *   certificate of the chain with a signature path from the leaf to it and
 *   the leaf naming the MX host);
 * - mismatch: usable records, none matched;
 * - unusable: no record with usage 2 or 3, selector 0 or 1, matching 0, 1 or 2
 *   (RFC 7672 3.1.3: TLS without authentication).
 */
export type TlsaOutcome = { kind: 'match'; record: Tlsa } | { kind: 'mismatch'; why: string } | { kind: 'unusable' };

/** Most certificates of a chain looked at; a longer chain's tail is ignored (bounded path search). */
const MAX_CHAIN = 10;

export function usable(t: Tlsa): boolean {
  return (t.usage === 2 || t.usage === 3) && (t.selector === 0 || t.selector === 1) && t.matchingType >= 0 && t.matchingType <= 2;
}

function selected(cert: X509Certificate, selector: number): Buffer {
  return selector === 0 ? cert.raw : (cert.publicKey.export({ type: 'spki', format: 'der' }) as Buffer);
}

function associated(bytes: Buffer, matchingType: number): Buffer {
  if (matchingType === 1) return createHash('sha256').update(bytes).digest();
  if (matchingType === 2) return createHash('sha512').update(bytes).digest();
  return bytes;
}

function matches(t: Tlsa, cert: X509Certificate): boolean {
  return associated(selected(cert, t.selector), t.matchingType).equals(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

function parse(chain: readonly Uint8Array[]): X509Certificate[] | undefined {
  try {
    return chain.slice(0, MAX_CHAIN).map((c) => new X509Certificate(Buffer.from(c.buffer, c.byteOffset, c.byteLength)));
  } catch {
    return undefined;
  }
}

/** Whether `issuer` issued `subject` and its key verifies the signature. */
function signs(issuer: X509Certificate, subject: X509Certificate): boolean {
  try {
    return subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/**
 * A signature path from the leaf to the certificate at index `ta`, through
 * certificates of the chain in any order, each used once. Depth-first over at
 * most MAX_CHAIN certificates with a visited set: each (subject, issuer) pair
 * is checked at most once.
 */
function pathTo(certs: X509Certificate[], ta: number): boolean {
  const visited = new Set<number>([0]);
  const stack = [0];
  while (stack.length) {
    const at = stack.pop()!;
    for (let i = 1; i < certs.length; i++) {
      if (visited.has(i) || !signs(certs[i]!, certs[at]!)) continue;
      if (i === ta) return true;
      visited.add(i);
      stack.push(i);
    }
  }
  return false;
}

/**
 * Match a host's TLSA records against the chain it sent (DER, wire order,
 * leaf first). `names` are the reference identifiers for usage 2 (RFC 7672
 * 3.2.3: the MX host name, and the mail domain). Usage 3 ignores names and
 * expiry (RFC 7672 3.1.1); usage 2 ignores expiry here too (validity dates
 * are not part of DANE-TA's check in this analysis).
 */
export function matchTlsa(records: readonly Tlsa[], chain: readonly Uint8Array[], names: readonly string[]): TlsaOutcome {
  const use = records.filter(usable);
  if (use.length === 0) return { kind: 'unusable' };
  const certs = chain.length ? parse(chain) : undefined;
  if (!certs) return { kind: 'mismatch', why: chain.length ? 'unparsable certificate' : 'no certificate' };
  let why = 'no record matched';
  for (const t of use) {
    if (t.usage === 3) {
      if (matches(t, certs[0]!)) return { kind: 'match', record: t };
      continue;
    }
    for (let i = 1; i < certs.length; i++) {
      if (!matches(t, certs[i]!)) continue;
      if (!pathTo(certs, i)) {
        why = 'trust anchor in the chain but no signature path from the leaf';
        continue;
      }
      if (!names.some((n) => certs[0]!.checkHost(n) !== undefined)) {
        why = 'trust anchor matched but the leaf does not name the MX host';
        continue;
      }
      return { kind: 'match', record: t };
    }
  }
  return { kind: 'mismatch', why };
}
