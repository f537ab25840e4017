import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { container as root } from 'tsyringe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import caPracticePlugin, { createChainClassifier } from '@wildtls/analysis-ca-practice';
import reusePlugin, { CHAIN_CLASSIFIER, ReuseAnalyzer, type ChainClassifier } from '@wildtls/analysis-reuse';
import { silentLogger, type Report, type ReportTable } from '@wildtls/core';
import { synthetic, table, type Synthetic } from './synthetic-fixture.js';

/** { service: { ips: count } } from a distribution table. */
function distribution(t: ReportTable): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const r of t.rows) (out[r.service as string] ??= {})[String(r.ips)] = r.count as number;
  return out;
}

describe('reuse analysis on synthetic results', () => {
  let s: Synthetic;
  let report: Report;
  beforeAll(async () => {
    s = await synthetic({ seed: 9 });
    const rootsFile = join(dirname(s.file), 'roots.pem');
    writeFileSync(rootsFile, s.rootPem);
    // As `wildtls analyze --roots` would without ca-practice: reuse builds ca-practice's validator with these roots.
    const analyzer = await reusePlugin.create({ options: { topInvalid: 8 }, params: { rootsFile }, container: root.createChildContainer(), logger: {} as never });
    [report] = await s.run(analyzer);
  });
  afterAll(() => s.cleanup());

  it('finds every certificate and key', () => {
    expect(report.totals).toMatchObject({ records: s.truth.records, certificates: s.truth.reuse.certificates, keys: s.truth.reuse.keys });
    expect(report.notes?.join(' ')).toContain('roots.pem');
    expect(report.notes?.join(' ')).toContain('worker thread');
  });

  it('recovers "a certificate occurs on X IPs" for all, valid and self-signed certificates (Fig. 6a-c)', () => {
    const d = s.truth.reuse.distributions;
    expect(distribution(table(report, 'certificates-all'))).toEqual(d.all);
    expect(distribution(table(report, 'certificates-valid'))).toEqual(d.valid);
    expect(distribution(table(report, 'certificates-self-signed'))).toEqual(d['self-signed']);
  });

  it('recovers the key distribution (Fig. 7) and the share of keys unique to one host', () => {
    expect(distribution(table(report, 'keys'))).toEqual(s.truth.reuse.keyDistribution);
    const rows = Object.fromEntries(table(report, 'summary').rows.map((r) => [r.service, r]));
    for (const [svc, t] of Object.entries<any>(s.truth.reuse.summary)) {
      expect(rows[svc], svc).toMatchObject({
        certificates: t.certificates,
        valid: t.valid,
        selfSigned: t.selfSigned,
        invalid: t.invalid,
        reused: t.reusedCount / t.certificates,
        keys: t.keys,
        keysUnique: (t.keysUniqueCount ?? 0) / t.keys,
        keysInSeveralCerts: t.keysInSeveralCerts ?? 0,
      });
    }
    expect(rows.all!.keysUnique).toBeGreaterThan(0);
  });

  it('ranks the most reused invalid certificates with subject CN and O (Table VI)', () => {
    const rows = table(report, 'top-invalid').rows;
    expect(rows).toHaveLength(8);
    expect(rows.slice(0, s.truth.reuse.topInvalid.length).map(({ ips, cn, o, class: c }) => ({ ips, cn, o, class: c }))).toEqual(s.truth.reuse.topInvalid);
    expect(rows[0]!.services).toEqual(['imap', 'smtp']);
  });

  it('Table VI: the heavily reused certificates lead the overall ranking and their protocols\' with their whole subject DN', () => {
    expect(table(report, 'most-reused-all').rows.slice(0, 5).map((r) => [r.ips, r.subject, r.class])).toEqual([
      [900, 'O=Plesk,CN=localhost.localdomain', 'self-signed'],
      [700, 'O=Hoster Example Ltd,CN=*.mail.hoster.example', 'invalid'],
      [500, 'O=Parallels,CN=mailserver', 'self-signed'],
      [400, 'O=Expired Example,CN=mx.expired.example', 'invalid'],
      [300, 'CN=ubuntu', 'self-signed'],
    ]);
    const first = Object.fromEntries(table(report, 'most-reused').rows.filter((r) => r.rank === 1).map((r) => [r.service, [r.ips, r.subject]]));
    expect(first).toMatchObject({ smtp: [900, 'O=Plesk,CN=localhost.localdomain'], imaps: [500, 'O=Parallels,CN=mailserver'], submission: [400, 'O=Expired Example,CN=mx.expired.example'], 'xmpp-client': [300, 'CN=ubuntu'] });
  });

  it('Fig. 6a-c and 7: per port, the share of certificates (keys) on X or more IPs is the tail of the truth\'s histogram', () => {
    const d = s.truth.reuse.distributions;
    const check = (id: string, truth: Record<string, Record<string, number>>) => {
      const rows = table(report, id).rows;
      for (const [svc, hist] of Object.entries(truth)) {
        const n = Object.values(hist).reduce((a, b) => a + b, 0);
        const xs = Object.keys(hist).map(Number).sort((a, b) => a - b);
        const mine = rows.filter((r) => r.service === svc);
        expect(mine.map((r) => [r.ips, r.items]), `${id} ${svc}`).toEqual(xs.map((x) => [x, xs.filter((y) => y >= x).reduce((a, y) => a + hist[String(y)]!, 0)]));
        for (const r of mine) expect(r.share).toBe((r.items as number) / n);
        expect(mine.every((r) => r.port === (svc === 'all' ? null : mine[0]!.port))).toBe(true);
      }
    };
    check('ccdf-certificates-all', d.all);
    check('ccdf-certificates-valid', d.valid);
    check('ccdf-certificates-self-signed', d['self-signed']);
    check('ccdf-keys', s.truth.reuse.keyDistribution);
  });

  it('uses the classifier registered by the validation plugin when there is one', async () => {
    const c = root.createChildContainer();
    const calls: number[] = [];
    const everythingValid: ChainClassifier = { classify: async (chain) => (calls.push(chain.length), 'valid' as const) };
    c.register(CHAIN_CLASSIFIER, { useValue: everythingValid });
    const analyzer = await reusePlugin.create({ options: {}, params: {}, container: c, logger: {} as never });
    const [r] = await s.run(analyzer);
    const all = table(r!, 'summary').rows.find((x) => x.service === 'all')!;
    expect(all).toMatchObject({ certificates: s.truth.reuse.certificates, valid: s.truth.reuse.certificates, selfSigned: 0, invalid: 0 });
    expect(calls.length).toBe(s.truth.reuse.certificates); // one call per distinct chain (one chain per leaf here)
    expect(table(r!, 'top-invalid').rows).toEqual([]);
  });

  it('with ca-practice loaded, uses its validator and recovers the same truth', async () => {
    const rootsFile = join(dirname(s.file), 'roots.pem');
    const c = root.createChildContainer();
    // As a run does: every plugin's register hook first, then the analyzers.
    await caPracticePlugin.register!({ container: c, logger: silentLogger(), options: undefined });
    const reuse = await reusePlugin.create({ options: {}, params: { rootsFile }, container: c, logger: silentLogger() });
    const ca = await caPracticePlugin.create({ options: undefined, params: { rootsFile }, container: c, logger: silentLogger() });
    const [r] = await s.run(reuse, ca);
    expect(r!.notes?.join(' ')).toContain('ca-practice');
    const rows = Object.fromEntries(table(r!, 'summary').rows.map((x) => [x.service, x]));
    for (const [svc, t] of Object.entries<any>(s.truth.reuse.summary)) {
      expect(rows[svc], svc).toMatchObject({ certificates: t.certificates, valid: t.valid, selfSigned: t.selfSigned, invalid: t.invalid });
    }
    expect(distribution(table(r!, 'certificates-valid'))).toEqual(s.truth.reuse.distributions.valid);
  });

  it('gives the same classes with the validator on the analysis thread', async () => {
    const rootsFile = join(dirname(s.file), 'roots.pem');
    const [r] = await s.run(await reusePlugin.create({ options: { worker: false }, params: { rootsFile }, container: root.createChildContainer(), logger: {} as never }));
    expect(r!.notes?.join(' ')).not.toContain('worker thread');
    expect(table(r!, 'summary').rows).toEqual(table(report, 'summary').rows);
  });

  it('buckets the distributions by powers of two when asked', async () => {
    const rootsFile = join(dirname(s.file), 'roots.pem');
    const [r] = await s.run(new ReuseAnalyzer({ version: 't', classifier: createChainClassifier({ rootsFile }), classifierName: 't', topInvalid: 0, distribution: 'log2', ownsClassifier: true }));
    // Bucket the exact truth by hand: 1, 2, 3-4, 5-8, ...
    const bucket = (x: number) => (x <= 2 ? x : 2 ** Math.ceil(Math.log2(x)) / 2 + 1);
    const expected: Record<string, Record<string, number>> = {};
    for (const [svc, hist] of Object.entries<Record<string, number>>(s.truth.reuse.distributions.all)) {
      for (const [x, n] of Object.entries(hist)) {
        const b = String(bucket(Number(x)));
        (expected[svc] ??= {})[b] = (expected[svc]![b] ?? 0) + n;
      }
    }
    const t = table(r!, 'certificates-all');
    expect(distribution(t)).toEqual(expected);
    expect(t.rows.find((x) => x.ips === 513 && x.service === 'all')).toMatchObject({ ipsTo: 1024, count: 2 }); // 700 and 900
  });

  it('without the trust anchor (Node\'s bundled store instead), no chain is valid', async () => {
    const [r] = await s.run(await reusePlugin.create({ options: { topInvalid: 1 }, params: {}, container: root.createChildContainer(), logger: silentLogger() }));
    expect(r!.notes?.join(' ')).toContain("Node's bundled Mozilla root store");
    const all = table(r!, 'summary').rows.find((x) => x.service === 'all')!;
    expect(all.valid).toBe(0);
    expect(all.selfSigned).toBe(s.truth.reuse.summary.all.selfSigned);
  });
});
