import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChainService, WorkerPool, loadTrustStore } from '@wildtls/analysis-ca-practice';
import { NOW, corruptSignature, issue, resign, type Issued } from './pki.js';

const DAY = 86_400_000;
let root: Issued;
let inter: Issued;
let leaf: Issued;
let rootsFile: string;

function service(): ChainService {
  return new ChainService({
    store: loadTrustStore(rootsFile),
    profile: 'strict',
    strictAnchors: false,
    maxIntermediates: 8,
    maxSignatureChecks: 64,
    maxValidityDays: 398,
    useScanIntermediates: true,
  });
}

function verdict(chain: Issued[], at = NOW, svc = service()) {
  return svc.verdict(chain.map((c) => c.b64), at);
}

beforeAll(async () => {
  root = await issue({ name: 'Test Root', ca: true });
  inter = await issue({ name: 'Test Intermediate', ca: true, issuer: root });
  leaf = await issue({ name: 'mail.example.org', dns: ['mail.example.org'], issuer: inter });
  rootsFile = join(mkdtempSync(join(tmpdir(), 'ca-practice-')), 'roots.pem');
  writeFileSync(rootsFile, root.pem);
});

describe('validity classes', () => {
  it('valid: leaf and intermediate sent, root in the store', () => {
    const v = verdict([leaf, inter]);
    expect(v.errors).toEqual([]);
    expect(v.flags).toEqual([]);
    expect(ChainService.classes(v, false)).toEqual(['valid']);
  });

  it('self-signed', async () => {
    const ss = await issue({ name: 'self.example.org', dns: ['self.example.org'] });
    expect(verdict([ss]).errors).toEqual(['self-signed']);
  });

  it('expired and not yet valid, every certificate on the path', () => {
    expect(verdict([leaf, inter], NOW + 200 * DAY).errors).toEqual(['expired']);
    expect(verdict([leaf, inter], NOW - 60 * DAY).errors).toEqual(['not-yet-valid']);
  });

  it('keeps every error of a chain: expired and unknown issuer together', () => {
    expect(verdict([leaf], NOW + 200 * DAY).errors.sort()).toEqual(['expired', 'unknown-issuer']);
  });

  it('unknown issuer when nothing in the scan has the intermediate', () => {
    expect(verdict([leaf]).errors).toEqual(['unknown-issuer']);
  });

  it('missing intermediate when another chain of the scan sent it, in either order', async () => {
    const other = await issue({ name: 'other.example.org', dns: ['other.example.org'], issuer: inter });
    const svc = service();
    verdict([other, inter], NOW, svc);
    expect(verdict([leaf], NOW, svc).errors).toEqual(['missing-intermediate']);
    const svc2 = service();
    const first = verdict([leaf], NOW, svc2);
    expect(first.errors).toEqual(['unknown-issuer']);
    verdict([other, inter], NOW, svc2);
    expect(svc2.recheck(first).errors).toEqual(['missing-intermediate']);
  });

  it('bad signature', () => {
    expect(verdict([corruptSignature(leaf), inter]).errors).toEqual(['bad-signature']);
  });

  it('host name mismatch is per record, against SAN entries', () => {
    const v = verdict([leaf, inter]);
    expect(ChainService.hostMatches(v, { kind: 'dns', value: 'mail.example.org' })).toBe(true);
    expect(ChainService.hostMatches(v, { kind: 'dns', value: 'MAIL.example.org.' })).toBe(true);
    expect(ChainService.hostMatches(v, { kind: 'dns', value: 'imap.example.org' })).toBe(false);
    expect(ChainService.classes(v, true)).toEqual(['hostname-mismatch']);
  });

  it('other: a leaf not for server authentication, an intermediate that is not a CA, a broken pathLen', async () => {
    const client = await issue({ name: 'c.example.org', dns: ['c.example.org'], issuer: inter, eku: ['1.3.6.1.5.5.7.3.2'] });
    expect(verdict([client, inter]).errors).toEqual(['extended-key-usage']);
    const notCa = await issue({ name: 'Not A CA', issuer: root, noBasicConstraints: true, ca: false, dns: ['x.example.org'] });
    const below = await issue({ name: 'y.example.org', dns: ['y.example.org'], issuer: notCa });
    expect(verdict([below, notCa]).errors).toEqual(['not-a-ca', 'ca-key-usage']);
    const pl0 = await issue({ name: 'PathLen Zero', ca: true, pathLen: 0, issuer: root });
    const sub = await issue({ name: 'Sub CA', ca: true, issuer: pl0 });
    const l = await issue({ name: 'z.example.org', dns: ['z.example.org'], issuer: sub });
    expect(verdict([l, sub, pl0]).errors).toEqual(['path-length-exceeded']);
    expect(ChainService.classes(verdict([l, sub, pl0]), false)).toEqual(['other']);
  });

  it('an unparsable certificate is reported, not thrown', () => {
    const v = service().verdict(['AAAA', inter.b64], NOW);
    expect(v.errors).toEqual(['malformed-certificate']);
  });

  it('hostile input: every truncation and a thousand random byte flips of a leaf never throw', () => {
    const svc = service();
    for (let n = 0; n < leaf.der.length; n++) {
      const v = svc.verdict([leaf.der.subarray(0, n).toString('base64'), inter.b64], NOW);
      expect(v.errors).toContain('malformed-certificate');
    }
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 1000; i++) {
      const der = Buffer.from(leaf.der);
      for (let k = 0; k < 3; k++) der[Math.floor(rnd() * der.length)] = Math.floor(rnd() * 256);
      const v = svc.verdict([der.toString('base64'), inter.b64], NOW);
      expect(Array.isArray(v.errors)).toBe(true);
    }
  });
});

describe('CA practice flags', () => {
  it('leaf issued directly by a root', async () => {
    const direct = await issue({ name: 'd.example.org', dns: ['d.example.org'], issuer: root });
    expect(verdict([direct]).flags).toEqual(['leaf-issued-by-root', 'leaf-issued-by-any-root']);
  });

  it('chain sent out of order', async () => {
    const i2 = await issue({ name: 'Second Intermediate', ca: true, issuer: inter });
    const l = await issue({ name: 'o.example.org', dns: ['o.example.org'], issuer: i2 });
    const v = verdict([l, inter, i2]);
    expect(v.errors).toEqual([]);
    expect(v.flags).toEqual(['out-of-order']);
  });

  it('root sent', () => {
    const v = verdict([leaf, inter, root]);
    expect(v.errors).toEqual([]);
    expect(v.flags).toEqual(['root-sent']);
  });

  it('duplicate certificates', () => {
    expect(verdict([leaf, inter, inter]).flags).toEqual(['duplicate-certificates']);
  });

  it('certificates not on the path', async () => {
    const stray = await issue({ name: 'Stray CA', ca: true });
    // A stray self-signed CA is both a root sent and a certificate off the path.
    expect(verdict([leaf, inter, stray]).flags).toEqual(['root-sent', 'unused-certificates']);
  });

  it('weak RSA key', async () => {
    const weak = await issue({ name: 'w.example.org', dns: ['w.example.org'], issuer: inter, rsaBits: 1024 });
    const v = verdict([weak, inter]);
    expect(v.flags).toEqual(['weak-key']);
    expect(v.errors).toEqual(['weak-key']);
  });

  it('SHA-1 and MD5 signatures', async () => {
    const rsaCa = await issue({ name: 'RSA Intermediate', ca: true, issuer: root, rsaBits: 2048 });
    const l = await issue({ name: 'h.example.org', dns: ['h.example.org'], issuer: rsaCa });
    const sha1 = await resign(l, rsaCa, 'sha1');
    const md5 = await resign(l, rsaCa, 'md5');
    const v1 = verdict([sha1, rsaCa]);
    expect(v1.errors).toEqual([]);
    expect(v1.flags).toEqual(['sha1-signature']);
    const v5 = verdict([md5, rsaCa]);
    expect(v5.errors).toEqual([]);
    expect(v5.flags).toEqual(['md5-signature']);
  });

  it('long validity', async () => {
    const long = await issue({ name: 'l.example.org', dns: ['l.example.org'], issuer: inter, notAfter: new Date(NOW + 3 * 365 * DAY) });
    expect(verdict([long, inter]).flags).toEqual(['long-validity']);
  });

  it('CN not among the SANs', async () => {
    const cn = await issue({ name: 'cn.example.org', dns: ['san.example.org'], issuer: inter });
    expect(verdict([cn, inter]).flags).toEqual(['cn-not-in-san']);
  });

  it('validates a distinct chain once and reuses the verdict', () => {
    const svc = service();
    const a = verdict([leaf, inter], NOW, svc);
    const b = verdict([leaf, inter], NOW + DAY, svc);
    expect(b).toBe(a);
    expect(svc.validations).toBe(1);
    // A time past a validity boundary gets its own verdict.
    expect(verdict([leaf, inter], NOW + 200 * DAY, svc).errors).toEqual(['expired']);
    expect(svc.validations).toBe(2);
  });

  it('keep false: the same verdict, nothing kept for it (asked again it is validated again, settle never sees it)', async () => {
    const other = await issue({ name: 'other.example.org', dns: ['other.example.org'], issuer: inter });
    const svc = service();
    const once = svc.verdict([leaf.b64], NOW, undefined, false);
    expect(once.errors).toEqual(['unknown-issuer']);
    expect(once.retry).toBeDefined();
    expect(svc.verdict([leaf.b64], NOW, undefined, false)).not.toBe(once);
    expect(svc.validations).toBe(2);
    // The intermediate arrives later: a kept chain would be settled onto it, one not kept is not.
    verdict([other, inter], NOW, svc);
    expect(svc.settleSync()).toEqual([]);
    // A verdict kept earlier still answers a keep-false ask, without validating.
    const kept = verdict([leaf, inter], NOW, svc);
    const n = svc.validations;
    expect(svc.verdict([leaf.b64, inter.b64], NOW, undefined, false)).toBe(kept);
    expect(svc.validations).toBe(n);
  });

  it('keep false through a worker thread: same verdict as kept, the pool keeps no copy of it', async () => {
    const settings = { profile: 'strict' as const, rootsFile, strictAnchors: false, maxIntermediates: 8, maxSignatureChecks: 64, maxValidityDays: 398, useScanIntermediates: true };
    const pool = new WorkerPool(settings, 1);
    try {
      // The leaf alone before the scan showed its intermediate: kept, settle() would recheck it; not kept, it never does.
      const lone = await pool.verdict([leaf.b64], NOW, undefined, false);
      expect(lone.errors).toEqual(['unknown-issuer']);
      const once = await pool.verdict([leaf.b64, inter.b64], NOW, undefined, false);
      const kept = await pool.verdict([leaf.b64, inter.b64], NOW);
      expect(once).toEqual(kept);
      // The third ask went to the worker again (nothing was kept for the second); the fourth is the pool's copy.
      expect((await pool.stats()).validations).toBe(3);
      expect(pool.verdict([leaf.b64, inter.b64], NOW)).toBe(kept);
      expect(await pool.settle()).toEqual([]);
    } finally {
      await pool.close();
    }
  });

  it('a worker thread out of heap fails the verdicts with WILDTLS_ERR_MEMORY and what to do, not an abort', async () => {
    const settings = { profile: 'strict' as const, rootsFile, strictAnchors: false, maxIntermediates: 8, maxSignatureChecks: 64, maxValidityDays: 398, useScanIntermediates: true };
    // 4 MB of old generation: the thread runs out while it loads the validator.
    const pool = new WorkerPool(settings, 1, true, false, { maxOldGenerationSizeMb: 4, maxYoungGenerationSizeMb: 1 });
    try {
      const err = await Promise.resolve(pool.verdict([leaf.b64, inter.b64], NOW)).then(() => undefined, (e: unknown) => e as Error & { code?: string });
      expect(err?.code).toBe('WILDTLS_ERR_MEMORY');
      expect(err?.message).toMatch(/certificate validation worker thread ran out of its JavaScript heap/);
      expect(err?.message).toContain('wildtls import FILES --into results.duckdb');
      // Later asks fail the same way, at once.
      await expect(Promise.resolve(pool.verdict([leaf.b64], NOW))).rejects.toMatchObject({ code: 'WILDTLS_ERR_MEMORY' });
    } finally {
      await pool.close();
    }
  });

  it('compact retry state (no chains kept): settle() asks for the chains it rechecks and gives what the full state gives', async () => {
    const other = await issue({ name: 'other.example.org', dns: ['other.example.org'], issuer: inter });
    const lone = await issue({ name: 'lone.example.org', dns: ['lone.example.org'], issuer: root });
    const chains = new Map<string, readonly string[]>();
    const ask = (svc: ChainService, chain: Issued[]) => {
      const b64 = chain.map((c) => c.b64);
      const hash = ChainService.chainHash(b64);
      chains.set(hash, b64);
      return svc.verdict(b64, NOW, hash);
    };
    const run = async (svc: ChainService) => {
      // The leaf alone first (unknown issuer), its intermediate later; `lone` is completed by nothing.
      ask(svc, [leaf]);
      ask(svc, [lone]);
      ask(svc, [other, inter]);
      const asked: string[][] = [];
      const changes = await svc.settle(async (hashes) => (asked.push([...hashes]), new Map(hashes.map((h) => [h, chains.get(h)!]))));
      return { changes: changes.map((c) => ({ from: c.from, until: c.until, hash: c.entry.hash, errors: c.entry.errors })), asked };
    };
    const full = service();
    const fullRun = await run(new ChainService(full.settings, false));
    const compact = new ChainService(full.settings, false, true);
    const compactRun = await run(compact);
    expect(fullRun.changes).toEqual([{ from: expect.any(Number), until: expect.any(Number), hash: ChainService.chainHash([leaf.b64]), errors: ['missing-intermediate'] }]);
    expect(compactRun.changes).toEqual(fullRun.changes);
    // Only the chain the new intermediate can complete is asked for, once; a second settle asks for nothing.
    expect(compactRun.asked).toEqual([[ChainService.chainHash([leaf.b64])]]);
    expect(await compact.settle(async () => new Map())).toEqual([]);
    // Without the chains a compact validator cannot settle.
    const again = new ChainService(full.settings, false, true);
    ask(again, [leaf]);
    ask(again, [other, inter]);
    await expect(again.settle()).rejects.toThrow(/needs the chains/);
  });

  it('compact retry state through a worker thread: the same settled verdicts', async () => {
    const other = await issue({ name: 'other2.example.org', dns: ['other2.example.org'], issuer: inter });
    const settings = { profile: 'strict' as const, rootsFile, strictAnchors: false, maxIntermediates: 8, maxSignatureChecks: 64, maxValidityDays: 398, useScanIntermediates: true };
    const b64 = { leaf: [leaf.b64], other: [other.b64, inter.b64] };
    const settled = async (pool: WorkerPool) => {
      await pool.verdict(b64.leaf, NOW);
      await pool.verdict(b64.other, NOW);
      const asked: string[] = [];
      const changes = await pool.settle(async (hashes) => (asked.push(...hashes), new Map(hashes.map((h) => [h, h === ChainService.chainHash(b64.leaf) ? b64.leaf : b64.other]))));
      return { changes: changes.map((c) => ({ from: c.from, until: c.until, entry: c.entry })), asked };
    };
    const full = new WorkerPool(settings, 2, false);
    const compact = new WorkerPool(settings, 2, false, true);
    try {
      const a = await settled(full);
      const b = await settled(compact);
      expect(a.changes).toHaveLength(1);
      expect(a.changes[0]!.entry.errors).toEqual(['missing-intermediate']);
      expect(b.changes).toEqual(a.changes);
      expect(a.asked).toEqual([]);
      expect(b.asked).toEqual([ChainService.chainHash(b64.leaf)]);
    } finally {
      await full.close();
      await compact.close();
    }
  });
});
