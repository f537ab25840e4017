import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, type ProbeRecord, type Report, type ReportTable } from '@wildtls/core';
import plugin from '@wildtls/analysis-ca-practice';
import { NOW, issue, type Issued } from './pki.js';

let root: Issued;
let inter: Issued;
let rootsFile: string;
const leaves: Issued[] = [];

/** The few DependencyContainer methods the plugin uses. */
function fakeContainer() {
  const values = new Map<unknown, unknown>();
  return {
    register: (token: unknown, p: { useValue: unknown }) => values.set(token, p.useValue),
    isRegistered: (token: unknown) => values.has(token),
    resolve: <T>(token: unknown) => values.get(token) as T,
  } as never as Parameters<NonNullable<typeof plugin.register>>[0]['container'];
}

function rec(ip: string, port: number, service: string, chain: Issued[], domain?: string): ProbeRecord {
  return {
    ip, port, service, protocol: service, mode: 'starttls', status: 'success', startedAt: new Date(NOW).toISOString(), durationMs: 1,
    ...(domain ? { domain } : {}),
    tls: { chain: chain.map((c) => c.b64), ocspStapled: false, completed: true },
  } as ProbeRecord;
}

function table(r: Report, id: string): ReportTable {
  const t = r.tables.find((x) => x.id === id);
  if (!t) throw new Error(`no table ${id}`);
  return t;
}

beforeAll(async () => {
  root = await issue({ name: 'Analyzer Root', ca: true });
  inter = await issue({ name: 'Analyzer Intermediate', ca: true, issuer: root });
  for (let i = 0; i < 3; i++) leaves.push(await issue({ name: `h${i}.example.net`, dns: [`h${i}.example.net`], issuer: inter }));
  leaves.push(await issue({ name: 'self.example.net', dns: ['self.example.net'] }));
  rootsFile = join(mkdtempSync(join(tmpdir(), 'ca-an-')), 'roots.pem');
  writeFileSync(rootsFile, root.pem);
});

describe('ca-practice analyzer', () => {
  it('counts classes per server within service and port, and states its counting rules', async () => {
    const a = await plugin.create({ options: undefined, logger: silentLogger(), container: fakeContainer(), params: { rootsFile, at: new Date(NOW) } });
    const [l0, l1, l2, ss] = leaves as [Issued, Issued, Issued, Issued];
    const records = [
      rec('127.0.0.1', 25, 'smtp', [l0, inter]), // valid
      rec('127.0.0.1', 25, 'smtp', [ss]), // same server again: not counted twice
      rec('127.0.0.2', 25, 'smtp', [l0, inter], 'wrong.example.net'), // valid chain, wrong host
      rec('127.0.0.3', 25, 'smtp', [ss]), // self-signed
      rec('127.0.0.4', 25, 'smtp', [l1]), // missing intermediate (inter seen above)
      rec('127.0.0.5', 993, 'imaps', [l2, inter, root]), // valid, root sent
      rec('127.0.0.6', 993, 'imaps', []), // no chain
    ];
    for (const r of records) await a.consume(r);
    const report = await a.finish();
    expect(report.analysis.id).toBe('ca-practice');
    expect(report.countingRule).toBe('per-server');
    expect(report.totals).toMatchObject({ records: 7, servers: 6, chains: 4 });
    const validity = table(report, 'validity');
    expect(validity.countingRule).toBe('per-server');
    const smtp = validity.rows.find((r) => r.service === 'smtp')!;
    expect(smtp).toMatchObject({ port: 25, servers: 4, valid: 0.25, 'self-signed': 0.25, 'missing-intermediate': 0.25, 'hostname-mismatch': 0.25, expired: 0 });
    const imaps = validity.rows.find((r) => r.service === 'imaps')!;
    expect(imaps).toMatchObject({ servers: 1, valid: 1 });
    const all = validity.rows.find((r) => r.service === 'all')!;
    expect(all).toMatchObject({ servers: 5, valid: 0.4 });
    const primary = table(report, 'validity-primary').rows.find((r) => r.service === 'smtp')!;
    const sum = ['valid', 'self-signed', 'expired', 'not-yet-valid', 'unknown-issuer', 'missing-intermediate', 'bad-signature', 'hostname-mismatch', 'other'].reduce((s, k) => s + (primary[k] as number), 0);
    expect(sum).toBeCloseTo(1, 10);
    expect(table(report, 'practice').rows.find((r) => r.service === 'imaps')).toMatchObject({ 'root-sent': 1, 'out-of-order': 0 });
    const chains = table(report, 'chains');
    expect(chains.countingRule).toBe('per-chain');
    expect(chains.rows.find((r) => r.name === 'valid')).toMatchObject({ chains: 2, share: 0.5 });
    expect(table(report, 'no-chain').rows.find((r) => r.service === 'imaps')).toMatchObject({ servers: 1 });
    for (const t of report.tables) {
      for (const row of t.rows) for (const c of t.columns) if (c.type === 'share' && row[c.key] !== null) expect(row[c.key]).toBeGreaterThanOrEqual(0);
    }
  });

  it('reports the same with the chains validated in-thread, on one worker and on two (intermediates pooled across workers)', async () => {
    const [l0, l1, l2, ss] = leaves as [Issued, Issued, Issued, Issued];
    // The chain that sends the intermediate comes last: only the settle step can find it for the others.
    const records = [
      rec('127.0.0.11', 25, 'smtp', [l1]),
      rec('127.0.0.12', 25, 'smtp', [l2], 'h2.example.net'),
      rec('127.0.0.13', 25, 'smtp', [ss]),
      rec('127.0.0.14', 25, 'smtp', [l0, inter]),
      rec('127.0.0.15', 465, 'smtps', [l0, inter], 'nope.example.net'),
    ];
    const reports = [];
    for (const workers of [0, 1, 2]) {
      const a = await plugin.create({ options: { workers }, logger: silentLogger(), container: fakeContainer(), params: { rootsFile, at: new Date(NOW) } });
      for (const r of records) await a.consume(r);
      reports.push(await a.finish());
    }
    const smtp = table(reports[0]!, 'validity').rows.find((r) => r.service === 'smtp')!;
    expect(smtp).toMatchObject({ servers: 4, 'missing-intermediate': 0.5, 'self-signed': 0.25, valid: 0.25 });
    for (const r of reports.slice(1)) {
      expect(r.tables).toEqual(reports[0]!.tables);
      expect(r.totals).toEqual(reports[0]!.totals);
    }
    expect(reports[2]!.notes?.join(' ')).toMatch(/on 2 worker threads/);
  });

  it('uses Node\'s bundled Mozilla store by default (a private root is unknown there)', async () => {
    const a = await plugin.create({ options: undefined, logger: silentLogger(), container: fakeContainer(), params: { at: new Date(NOW) } });
    await a.consume(rec('127.0.0.9', 443, 'https', [leaves[0]!, inter]));
    const r = await a.finish();
    expect(r.notes?.[0]).toMatch(/bundled Mozilla root store \(1[0-9]{2} certificates/);
    expect(table(r, 'validity').rows[0]).toMatchObject({ 'unknown-issuer': 1, valid: 0 });
  });

  it('registers a classifier the reuse analysis can resolve, sharing the validator', async () => {
    const c = fakeContainer();
    await plugin.register?.({ container: c, logger: silentLogger(), options: undefined });
    await plugin.create({ options: undefined, logger: silentLogger(), container: c, params: { rootsFile } });
    const cls = c.resolve<{ classify(chain: Uint8Array[], at: Date): string | Promise<string> }>(Symbol.for('wildtls.ChainClassifier'));
    expect(await cls.classify([leaves[0]!.der, inter.der], new Date(NOW))).toBe('valid');
    expect(await cls.classify([leaves[3]!.der], new Date(NOW))).toBe('self-signed');
    expect(await cls.classify([leaves[0]!.der], new Date(NOW))).toBe('invalid');
  });
});
