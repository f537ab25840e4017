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
let direct: Issued;
let otherSelf: Issued;

/** The few DependencyContainer methods the plugin uses. */
function fakeContainer() {
  const values = new Map<unknown, unknown>();
  return {
    register: (token: unknown, p: { useValue: unknown }) => values.set(token, p.useValue),
    isRegistered: (token: unknown) => values.has(token),
    resolve: <T>(token: unknown) => values.get(token) as T,
  } as never as Parameters<NonNullable<typeof plugin.register>>[0]['container'];
}

function rec(ip: string, port: number, service: string, chain: Issued[], domain?: string, extra: Partial<ProbeRecord> = {}): ProbeRecord {
  return {
    ip, port, service, protocol: service, mode: 'starttls', status: 'success', startedAt: new Date(NOW).toISOString(), durationMs: 1,
    ...(domain ? { domain } : {}),
    tls: { chain: chain.map((c) => c.b64), ocspStapled: false, completed: true },
    ...extra,
  } as ProbeRecord;
}

function table(r: Report, id: string): ReportTable {
  const t = r.tables.find((x) => x.id === id);
  if (!t) throw new Error(`no table ${id}`);
  return t;
}

async function run(records: ProbeRecord[], options: Record<string, unknown> = {}, params: Record<string, unknown> = {}): Promise<Report> {
  const a = await plugin.create({ options: options as never, logger: silentLogger(), container: fakeContainer(), params: { rootsFile, at: new Date(NOW), ...params } });
  for (const r of records) await a.consume(r);
  return a.finish();
}

beforeAll(async () => {
  root = await issue({ name: 'Analyzer Root', ca: true });
  inter = await issue({ name: 'Analyzer Intermediate', ca: true, issuer: root });
  for (let i = 0; i < 3; i++) leaves.push(await issue({ name: `h${i}.example.net`, dns: [`h${i}.example.net`], issuer: inter }));
  leaves.push(await issue({ name: 'self.example.net', dns: ['self.example.net'] }));
  direct = await issue({ name: 'direct.example.net', dns: ['direct.example.net'], issuer: root });
  otherSelf = await issue({ name: 'self2.example.net', dns: ['self2.example.net'] });
  rootsFile = join(mkdtempSync(join(tmpdir(), 'ca-an-')), 'roots.pem');
  writeFileSync(rootsFile, root.pem);
});

describe('ca-practice analyzer', () => {
  it('Fig. 4: overlapping classes per server within service and port; host names apart under the default profile', async () => {
    const [l0, l1, l2, ss] = leaves as [Issued, Issued, Issued, Issued];
    const report = await run([
      rec('127.0.0.1', 25, 'smtp', [l0, inter]), // valid
      rec('127.0.0.1', 25, 'smtp', [l0, inter]), // same server, same chain: counted once
      rec('127.0.0.2', 25, 'smtp', [l0, inter], 'wrong.example.net'), // valid chain, wrong host
      rec('127.0.0.3', 25, 'smtp', [ss]), // self-signed
      rec('127.0.0.4', 25, 'smtp', [l1]), // missing intermediate (inter seen above)
      rec('127.0.0.5', 993, 'imaps', [l2, inter, root]), // valid, root sent
      rec('127.0.0.6', 993, 'imaps', []), // no chain
    ]);
    expect(report.analysis.id).toBe('ca-practice');
    expect(report.countingRule).toBe('per-server');
    expect(report.totals).toMatchObject({ records: 7, servers: 6, chains: 4, internalErrors: 0 });
    const validity = table(report, 'validity');
    expect(validity.title).toMatch(/^Fig\. 4/);
    expect(validity.paper).toEqual({ ref: 'Fig. 4' });
    expect(validity.countingRule).toBe('per-server');
    expect(validity.columns.map((c) => c.key)).not.toContain('hostname-mismatch');
    expect(validity.rows.find((r) => r.service === 'smtp')).toMatchObject({ port: 25, servers: 4, valid: 0.5, 'self-signed': 0.25, 'missing-intermediate': 0.25, expired: 0 });
    expect(validity.rows.find((r) => r.service === 'imaps')).toMatchObject({ servers: 1, valid: 1 });
    expect(validity.rows.find((r) => r.service === 'all')).toMatchObject({ servers: 5, valid: 0.6 });
    expect(table(report, 'hostnames').rows.find((r) => r.service === 'smtp')).toMatchObject({ servers: 4, named: 1, mismatched: 1, share: 1 });
    const exclusive = table(report, 'validity-exclusive');
    expect(exclusive.title).not.toMatch(/^Fig\./);
    // Only the study's figures and text statistics carry a paper ref.
    expect(report.tables.filter((t) => t.paper).map((t) => [t.id, t.paper])).toEqual([
      ['validity', { ref: 'Fig. 4' }],
      ['primary-error', { ref: 'Fig. 5' }],
      ['leaf-issued-by-root', { ref: 'Text: certificate chains', order: 1 }],
      ['multi-chain', { ref: 'Text: certificate chains', order: 2 }],
    ]);
    const smtp = exclusive.rows.find((r) => r.service === 'smtp')!;
    expect(exclusive.columns.filter((c) => c.type === 'share').reduce((s, c) => s + (smtp[c.key] as number), 0)).toBeCloseTo(1, 10);
    expect(table(report, 'practice').rows.find((r) => r.service === 'imaps')).toMatchObject({ 'root-sent': 1, 'out-of-order': 0 });
    const chains = table(report, 'chains');
    expect(chains.countingRule).toBe('per-chain');
    expect(chains.rows.find((r) => r.name === 'valid')).toMatchObject({ chains: 2, share: 0.5 });
    expect(table(report, 'no-chain').rows.find((r) => r.service === 'imaps')).toMatchObject({ servers: 1 });
    for (const t of report.tables) {
      for (const row of t.rows) for (const c of t.columns) if (c.type === 'share' && row[c.key] !== null) expect(row[c.key]).toBeGreaterThanOrEqual(0);
    }
  });

  it('Fig. 5: the error OpenSSL reports first, one per server, with the denominator', async () => {
    const [l0, l1, , ss] = leaves as [Issued, Issued, Issued, Issued];
    const report = await run([
      rec('127.0.0.1', 25, 'smtp', [l0, inter]),
      rec('127.0.0.2', 25, 'smtp', [l0, inter], 'wrong.example.net'),
      rec('127.0.0.3', 25, 'smtp', [ss]),
      rec('127.0.0.4', 25, 'smtp', [l1]),
    ]);
    const t = table(report, 'primary-error');
    expect(t.title).toMatch(/^Fig\. 5/);
    expect(t.paper).toEqual({ ref: 'Fig. 5' });
    const rows = t.rows.map((r) => [r.code, r.servers, r.of, r.share]);
    // 0: verified; 18: depth zero self-signed; 20: unable to get local issuer certificate (what OpenSSL says for a missing intermediate).
    expect(rows).toEqual([[0, 2, 4, 0.5], [18, 1, 4, 0.25], [20, 1, 4, 0.25]]);
    expect(t.rows.find((r) => r.code === 20)!.error).toBe('unable to get local issuer certificate');
  });

  it('strict profile: today\'s rules, host name mismatches counted in the validity table, which is then not the study\'s Fig. 4', async () => {
    const [l0, , , ss] = leaves as [Issued, Issued, Issued, Issued];
    const records = [rec('127.0.0.1', 25, 'smtp', [l0, inter]), rec('127.0.0.2', 25, 'smtp', [l0, inter], 'wrong.example.net'), rec('127.0.0.3', 25, 'smtp', [ss])];
    for (const report of [await run(records, {}, { validityProfile: 'strict' }), await run(records, { profile: 'strict' })]) {
      expect(table(report, 'validity').rows[0]).toMatchObject({ servers: 3, valid: 1 / 3, 'hostname-mismatch': 1 / 3, 'self-signed': 1 / 3 });
      expect(report.notes?.[0]).toMatch(/^Profile: strict/);
      // Fig. 5 is OpenSSL's verdict under any profile; validity and the text statistics are the profile's, not the study's.
      expect(report.tables.filter((t) => t.paper).map((t) => t.id)).toEqual(['primary-error']);
      expect(table(report, 'validity').title).toMatch(/^Certificate validity under the strict profile .*\(beyond the study/);
    }
    await expect(run(records, {}, { validityProfile: 'lenient' })).rejects.toThrow(/unknown validity profile "lenient"/);
  });

  it('leaves internal-error records out (counted in the totals) and counts a chain whatever the handshake status', async () => {
    const [l0, , , ss] = leaves as [Issued, Issued, Issued, Issued];
    const report = await run([
      rec('127.0.0.1', 25, 'smtp', [ss], undefined, { status: 'internal-error' }),
      rec('127.0.0.2', 25, 'smtp', [l0, inter], undefined, { status: 'tls-failed', reason: 'tls-unsupported', tls: { chain: [l0.b64, inter.b64], ocspStapled: false, completed: false } } as never),
    ]);
    expect(report.totals).toMatchObject({ records: 2, servers: 1, internalErrors: 1, chains: 1 });
    expect(table(report, 'validity').rows[0]).toMatchObject({ servers: 1, valid: 1, 'self-signed': 0 });
    expect(report.notes?.join(' ')).toMatch(/1 with status internal-error/);
  });

  it('leaf issued directly by a root of the store: among verifiable chains', async () => {
    const [l0, , , ss] = leaves as [Issued, Issued, Issued, Issued];
    const report = await run([
      rec('127.0.0.1', 443, 'https', [direct]), // valid, leaf issued by the store's root
      rec('127.0.0.2', 443, 'https', [l0, inter]), // valid, through an intermediate
      rec('127.0.0.3', 443, 'https', [ss]), // not verifiable: not in the denominator
    ]);
    const t = table(report, 'leaf-issued-by-root');
    expect(t.countingRule).toBe('per-chain');
    expect(t.rows[0]).toMatchObject({ verifiable: 2, direct: 1, share: 0.5 });
  });

  it('servers that served several chains, and whether their chains share validity', async () => {
    const [l0, l1, l2, ss] = leaves as [Issued, Issued, Issued, Issued];
    const report = await run([
      rec('127.0.0.1', 25, 'smtp', [l0, inter], 'a.example.net'),
      rec('127.0.0.1', 25, 'smtp', [l1, inter], 'b.example.net'), // two valid chains
      rec('127.0.0.2', 25, 'smtp', [l2, inter], 'a.example.net'),
      rec('127.0.0.2', 25, 'smtp', [ss], 'b.example.net'), // valid and self-signed
      rec('127.0.0.3', 25, 'smtp', [ss]),
      rec('127.0.0.3', 25, 'smtp', [otherSelf]), // two invalid chains
      rec('127.0.0.3', 25, 'smtp', [ss]), // a chain already counted for this server
      rec('127.0.0.4', 25, 'smtp', [l0, inter]),
      rec('127.0.0.4', 25, 'smtp', [l0, inter]), // one chain twice: not several
    ]);
    expect(table(report, 'multi-chain').rows[0]).toMatchObject({ servers: 4, multi: 3, allValid: 1, allInvalid: 1, mixed: 1, shared: 2 / 3 });
    // Fig. 4 still counts each server by its first chain.
    expect(table(report, 'validity').rows[0]).toMatchObject({ servers: 4, valid: 0.75, 'self-signed': 0.25 });
  });

  it('reports the same with the chains validated in-thread, on one worker and on two (intermediates pooled across workers)', async () => {
    const [l0, l1, l2, ss] = leaves as [Issued, Issued, Issued, Issued];
    // The chain that sends the intermediate comes last: only the settle step can find it for the others.
    const records = [
      rec('127.0.0.11', 25, 'smtp', [l1]),
      rec('127.0.0.12', 25, 'smtp', [l2], 'h2.example.net'),
      rec('127.0.0.13', 25, 'smtp', [ss]),
      rec('127.0.0.14', 25, 'smtp', [l0, inter]),
      rec('127.0.0.14', 25, 'smtp', [l1]),
      rec('127.0.0.15', 465, 'smtps', [l0, inter], 'nope.example.net'),
    ];
    const reports = [];
    for (const workers of [0, 1, 2]) reports.push(await run(records, { workers }));
    const smtp = table(reports[0]!, 'validity').rows.find((r) => r.service === 'smtp')!;
    expect(smtp).toMatchObject({ servers: 4, 'missing-intermediate': 0.5, 'self-signed': 0.25, valid: 0.25 });
    for (const r of reports.slice(1)) {
      expect(r.tables).toEqual(reports[0]!.tables);
      expect(r.totals).toEqual(reports[0]!.totals);
    }
    expect(reports[2]!.notes?.join(' ')).toMatch(/on 2 worker threads/);
  });

  it('uses Node\'s bundled Mozilla store by default (a private root is unknown there)', async () => {
    const r = await run([rec('127.0.0.9', 443, 'https', [leaves[0]!, inter])], {}, { rootsFile: undefined });
    expect(r.notes?.find((n) => n.startsWith('Trust anchors'))).toMatch(/bundled Mozilla root store \(1[0-9]{2} certificates/);
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

  it('explains a chain in full through the same classifier: every error, OpenSSL\'s first, the profile create() was given, the host name', async () => {
    const c = fakeContainer();
    await plugin.register?.({ container: c, logger: silentLogger(), options: undefined });
    await plugin.create({ options: undefined, logger: silentLogger(), container: c, params: { rootsFile, validityProfile: 'strict' } });
    type Explained = { profile: string; errors: string[]; openssl: { code: number; depth: number; text: string }; hostname?: { name: string; matches: boolean } };
    const cls = c.resolve<{ explain(chain: string[], at: Date, name?: string): Explained | Promise<Explained> }>(Symbol.for('wildtls.ChainClassifier'));
    const b64 = (x: Issued) => x.der.toString('base64');
    expect(await cls.explain([b64(leaves[0]!), b64(inter)], new Date(NOW), 'h0.example.net')).toEqual({
      profile: 'strict', errors: [], openssl: { code: 0, depth: 0, text: 'ok' }, hostname: { name: 'h0.example.net', matches: true },
    });
    const self = await cls.explain([b64(leaves[3]!)], new Date(NOW), 'other.example.net');
    expect(self.errors).toContain('self-signed');
    expect(self.openssl).toEqual({ code: 18, depth: 0, text: 'self-signed certificate' });
    expect(self.hostname).toEqual({ name: 'other.example.net', matches: false });
    expect((await cls.explain([b64(leaves[0]!)], new Date(NOW))).hostname).toBeUndefined();
  });
});
