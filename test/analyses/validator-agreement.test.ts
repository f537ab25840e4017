/**
 * One validator for every analysis: the class reuse gives each chain (valid,
 * self-signed, invalid) is what ca-practice's analyzer says of that chain,
 * whether ca-practice is in the run (reuse resolves its classifier from the
 * DI container) or not (reuse builds ca-practice's validator itself, on a
 * worker thread or on the analysis thread). The truth is declared per chain,
 * as OpenSSL would decide it; the chains include the ones reuse's former
 * validator (no backtracking, no CA checks) got wrong.
 */
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { container as root } from 'tsyringe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import caPracticePlugin from '@wildtls/analysis-ca-practice';
import reusePlugin, { type ChainClass } from '@wildtls/analysis-reuse';
import { silentLogger, type Analyzer, type ProbeRecord, type Report } from '@wildtls/core';
import { NOW, corruptSignature, issue, type Issued } from '../../plugins/analysis-ca-practice/test/pki.js';
import { table } from './population-truth.js';

const DAY = 86_400_000;

interface Case {
  name: string;
  chain: Issued[];
  expected: ChainClass;
}

async function cases(): Promise<{ rootPem: string; list: Case[] }> {
  const rootCa = await issue({ name: 'Agreement Root', ca: true, notBefore: new Date(NOW - 900 * DAY), notAfter: new Date(NOW + 900 * DAY) });
  const inter = await issue({ name: 'Agreement Intermediate', ca: true, issuer: rootCa });
  const untrusted = await issue({ name: 'Untrusted Root', ca: true });
  const leaf = (name: string, issuer: Issued, o: { notBefore?: Date; notAfter?: Date } = {}) => issue({ name, issuer, dns: [name], ...o });

  // One intermediate key in two certificates: an expired one first, then a current one.
  const rolled = await issue({ name: 'Rolled Intermediate', ca: true, issuer: rootCa, notBefore: new Date(NOW - 400 * DAY), notAfter: new Date(NOW - 10 * DAY) });
  const rolledNew = await issue({ name: 'Rolled Intermediate', ca: true, issuer: rootCa, keys: rolled.keys });
  // Cross-signing: the intermediate's key certified by an old CA (itself expired) and by the root.
  const oldCa = await issue({ name: 'Old CA', ca: true, issuer: rootCa, notBefore: new Date(NOW - 800 * DAY), notAfter: new Date(NOW - 30 * DAY) });
  const crossByOld = await issue({ name: 'Cross Intermediate', ca: true, issuer: oldCa });
  const crossByRoot = await issue({ name: 'Cross Intermediate', ca: true, issuer: rootCa, keys: crossByOld.keys });
  const notCa = await issue({ name: 'Not A CA', ca: false, issuer: rootCa });
  const selfSigned = await issue({ name: 'self.example', dns: ['self.example'] });

  const list: Case[] = [
    { name: 'leaf and intermediate', chain: [await leaf('valid.example', inter), inter], expected: 'valid' },
    { name: 'leaf, intermediate and root', chain: [await leaf('with-root.example', inter), inter, rootCa], expected: 'valid' },
    { name: 'leaf issued by the root', chain: [await leaf('root-issued.example', rootCa)], expected: 'valid' },
    { name: 'intermediate sent after an expired copy of it (same key)', chain: [await leaf('rolled.example', rolledNew), rolled, rolledNew], expected: 'valid' },
    // The first issuer found leads to an expired CA. OpenSSL does not backtrack: `openssl verify -untrusted` with the
    // chain in this order says "error 10 at 2 depth lookup: certificate has expired" (with crossByRoot first it says OK).
    // The default verdict is OpenSSL's (the study's method); only the strict profile's path builder backtracks to the root.
    { name: 'cross-signed intermediate, first path through an expired CA', chain: [await leaf('cross.example', crossByOld), crossByOld, oldCa, crossByRoot], expected: 'invalid' },
    { name: 'self-signed leaf', chain: [selfSigned], expected: 'self-signed' },
    // As OpenSSL: a self-signed leaf is DEPTH_ZERO_SELF_SIGNED whatever its own signature.
    { name: 'self-signed leaf with a broken self-signature', chain: [corruptSignature(await issue({ name: 'forged.example', dns: ['forged.example'] }))], expected: 'self-signed' },
    { name: 'unknown issuer (untrusted root sent)', chain: [await leaf('untrusted.example', untrusted), untrusted], expected: 'invalid' },
    { name: 'expired leaf', chain: [await leaf('expired.example', inter, { notBefore: new Date(NOW - 100 * DAY), notAfter: new Date(NOW - DAY) }), inter], expected: 'invalid' },
    { name: 'leaf not yet valid', chain: [await leaf('future.example', inter, { notBefore: new Date(NOW + DAY), notAfter: new Date(NOW + 100 * DAY) }), inter], expected: 'invalid' },
    { name: 'issued by a certificate that is not a CA', chain: [await leaf('not-ca.example', notCa), notCa], expected: 'invalid' },
    { name: 'missing intermediate (seen in another chain)', chain: [await leaf('missing.example', inter)], expected: 'invalid' },
    { name: 'leaf signature broken', chain: [corruptSignature(await leaf('bad-sig.example', inter)), inter], expected: 'invalid' },
  ];
  return { rootPem: rootCa.pem, list };
}

function record(i: number, c: Case): ProbeRecord {
  return {
    ip: `192.0.2.${i + 1}`, port: 20000 + i, service: 'https', protocol: 'https', mode: 'implicit', status: 'success',
    startedAt: new Date(NOW).toISOString(), durationMs: 1, tls: { chain: c.chain.map((x) => x.b64), ocspStapled: false, completed: true },
  };
}

/** reuse's class of each case's leaf: from top-invalid (every certificate that is not valid), valid otherwise. */
function reuseClasses(r: Report, list: Case[]): ChainClass[] {
  const rows = table(r, 'top-invalid').rows;
  return list.map((c) => {
    const fp = createHash('sha256').update(c.chain[0]!.der).digest('hex');
    return (rows.find((x) => x.fingerprint === fp)?.class as ChainClass | undefined) ?? 'valid';
  });
}

/** ca-practice's verdict on each case (one port each), in reuse's three classes. */
function caClasses(r: Report, list: Case[]): ChainClass[] {
  const rows = table(r, 'validity').rows;
  return list.map((_, i) => {
    const row = rows.find((x) => x.port === 20000 + i)!;
    return row.valid === 1 ? 'valid' : row['self-signed'] === 1 ? 'self-signed' : 'invalid';
  });
}

describe('one validator: reuse classes each chain as ca-practice does', () => {
  let dir: string;
  let list: Case[];
  let params: { rootsFile: string; at: Date };
  const run = async (analyzers: Analyzer[]) => {
    for (const [i, c] of list.entries()) for (const a of analyzers) await a.consume(record(i, c));
    return Promise.all(analyzers.map((a) => a.finish()));
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wildtls-agreement-'));
    const made = await cases();
    list = made.list;
    params = { rootsFile: join(dir, 'roots.pem'), at: new Date(NOW) };
    writeFileSync(params.rootsFile, made.rootPem);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('with ca-practice in the run, both say what the declared truth says', async () => {
    const c = root.createChildContainer();
    await caPracticePlugin.register!({ container: c, logger: silentLogger(), options: undefined });
    const reuse = await reusePlugin.create({ options: { topInvalid: 100 }, params, container: c, logger: silentLogger() });
    const ca = await caPracticePlugin.create({ options: undefined, params, container: c, logger: silentLogger() });
    const [r, v] = await run([reuse, ca]);
    const expected = list.map((x) => [x.name, x.expected]);
    expect(list.map((x, i) => [x.name, caClasses(v!, list)[i]])).toEqual(expected);
    expect(list.map((x, i) => [x.name, reuseClasses(r!, list)[i]])).toEqual(expected);
    expect(r!.notes!.join(' ')).toContain('ca-practice validator loaded in this run');
  });

  it('with ca-practice loaded but not run, reuse gets its validator with the run\'s roots', async () => {
    const c = root.createChildContainer();
    await caPracticePlugin.register!({ container: c, logger: silentLogger(), options: undefined });
    const reuse = await reusePlugin.create({ options: { topInvalid: 100 }, params, container: c, logger: silentLogger() });
    const [r] = await run([reuse]);
    expect(list.map((x, i) => [x.name, reuseClasses(r!, list)[i]])).toEqual(list.map((x) => [x.name, x.expected]));
    // Unusable roots are the user's mistake, said at once: not every chain "invalid".
    const c2 = root.createChildContainer();
    await caPracticePlugin.register!({ container: c2, logger: silentLogger(), options: undefined });
    await expect(async () => reusePlugin.create({ options: {}, params: { rootsFile: join(dir, 'none.pem') }, container: c2, logger: silentLogger() })).rejects.toThrow(/cannot use the trust anchors/);
  });

  for (const worker of [true, false]) {
    it(`without ca-practice, reuse builds ca-practice's validator itself (${worker ? 'worker thread' : 'analysis thread'}) and agrees with the analyzer`, async () => {
      const reuse = await reusePlugin.create({ options: { topInvalid: 100, worker }, params, container: root.createChildContainer(), logger: silentLogger() });
      const ca = await caPracticePlugin.create({ options: { workers: 0 }, params, container: root.createChildContainer(), logger: silentLogger() });
      const [r, v] = await run([reuse, ca]);
      expect(reuseClasses(r!, list)).toEqual(caClasses(v!, list));
      expect(list.map((x, i) => [x.name, reuseClasses(r!, list)[i]])).toEqual(list.map((x) => [x.name, x.expected]));
      expect(r!.notes!.join(' ')).toContain('ca-practice is not loaded');
    });
  }
});

describe('one validator: a record without a readable time', () => {
  it('is judged now, as ca-practice judges it, not at an Invalid Date that passes every time check', async () => {
    const rootCa = await issue({ name: 'Time Root', ca: true, notBefore: new Date(Date.now() - 900 * DAY), notAfter: new Date(Date.now() + 900 * DAY) });
    const expired = await issue({ name: 'expired-now.example', issuer: rootCa, notBefore: new Date(Date.now() - 100 * DAY), notAfter: new Date(Date.now() - DAY) });
    const dir = mkdtempSync(join(tmpdir(), 'wildtls-agreement-'));
    try {
      const rootsFile = join(dir, 'roots.pem');
      writeFileSync(rootsFile, rootCa.pem);
      const reuse = await reusePlugin.create({ options: { worker: false }, params: { rootsFile }, container: root.createChildContainer(), logger: silentLogger() });
      await reuse.consume({ ...record(0, { name: 'x', chain: [expired], expected: 'invalid' }), startedAt: 'not a time' });
      const r = await reuse.finish();
      expect(table(r, 'top-invalid').rows.map((x) => x.class)).toEqual(['invalid']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
