import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RetryRefs, type RetryRef } from '../src/analysis/retry-refs.js';

/** A reference per i: every tenth with a hash that is not 32 bytes of base64 (kept as text), times and issuers varying. */
function ref(i: number): RetryRef {
  const hash = i % 10 === 3 ? `id-${i}` : createHash('sha256').update(String(i)).digest('base64');
  return { hash, at: 1.7e12 + i * 1000.5, from: i % 7 === 0 ? -Infinity : 1.6e12 + i, until: i % 5 === 0 ? Infinity : 1.8e12 + i, errors: i % 2 ? 'unknown-issuer' : 'expired,unknown-issuer', poolSize: i % 4, issuerKey: `issuer-${i % 13}` };
}
const item = ({ hash, at, from, until, errors }: RetryRef) => ({ hash, at, from, until, errors });

describe('RetryRefs: compact retry references', () => {
  it('gives back exactly what was pushed, in order, across growth and two takes', () => {
    const refs = new RetryRefs();
    const all = Array.from({ length: 5000 }, (_, i) => ref(i));
    for (const r of all) refs.push(r);
    expect(refs.size).toBe(5000);
    const first = refs.takeWhere((poolSize, issuer) => poolSize === 1 && issuer !== 'issuer-5');
    expect(first).toEqual(all.filter((r) => r.poolSize === 1 && r.issuerKey !== 'issuer-5').map(item));
    expect(refs.size).toBe(5000 - first.length);
    // What stayed (text hashes included, moved to new rows) comes out whole.
    const rest = refs.takeWhere(() => true);
    expect(rest).toEqual(all.filter((r) => !(r.poolSize === 1 && r.issuerKey !== 'issuer-5')).map(item));
    expect(refs.size).toBe(0);
    expect(refs.takeWhere(() => true)).toEqual([]);
  });
});
