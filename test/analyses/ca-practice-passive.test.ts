/**
 * ca-practice with passive records (one per captured connection): Fig. 5 per
 * server seen and weighted by connections, beside the scan's per-server
 * tables, which passive records never enter. The records are the fixture
 * library's (real scans of the farm), copied as passive records.
 */
import { describe, expect, it } from 'vitest';
import plugin from '@wildtls/analysis-ca-practice';
import { silentLogger, type ProbeRecord, type Report, type ReportTable } from '@wildtls/core';
import { fixtureRecord, synthesize } from '../synthetic/fixture-library.mjs';

const AT = new Date('2026-12-06T12:30:00Z');

async function analyze(records: ProbeRecord[]): Promise<Report> {
  const container = { isRegistered: () => false } as never;
  const a = await plugin.create({ options: { workers: 0 } as never, logger: silentLogger(), container, params: { at: AT } });
  for (const r of records) await a.consume(structuredClone(r));
  return a.finish();
}

function passive(r: ProbeRecord, clientPort: number, extra: Partial<NonNullable<ProbeRecord['passive']>> = {}): ProbeRecord {
  const t = r.startedAt;
  return { ...r, source: 'passive', passive: { client: { ip: 'hmac-sha256:00', port: clientPort }, captureStart: t, captureEnd: t, midStream: false, endReason: 'fin', ...extra } };
}

const table = (rep: Report, id: string): ReportTable => rep.tables.find((t) => t.id === id) ?? expect.unreachable(`no table ${id}`);

// Two smtp:25 servers sending the same chain C1, one tls:4433 server with chain C2, one TLS 1.3 tls:4433 server.
const a = fixtureRecord('postfix-tls12-smtp');
const b = fixtureRecord('postfix-rsa-cbc-smtp');
const d = fixtureRecord('sserver-rsa-gcm');
const e = fixtureRecord('sserver-tls13');
// A's leaf without its intermediate: another chain from the same server.
const aLeafOnly = synthesize(a, { chain: [a.tls!.chain![0]!] });

describe('ca-practice: passive records give Fig. 5 per server and by connections', () => {
  it('counts servers by their first chain and every connection with a chain once; TLS 1.3 connections carry none', async () => {
    expect(a.tls!.chain).toEqual(b.tls!.chain);
    expect([a.ip, b.ip, d.ip, e.ip].length).toBe(new Set([a.ip, b.ip, d.ip, e.ip]).size);
    const records = [
      passive(a, 1), passive(a, 2), passive(aLeafOnly, 3), passive(a, 4), passive(b, 5),
      passive(d, 6), passive(d, 7),
      passive({ ...e, tls: { ...e.tls!, chain: [] } }, 8, { chainHidden: true }),
      passive({ ...e, tls: { ...e.tls!, chain: [] } }, 9, { chainHidden: true }),
    ];
    const rep = await analyze(records);

    // The verdicts are the scan's: the first error of each chain, as the per-server table gives it for scan records
    // (A's full chain on one server, A's leaf alone on another, D's chain).
    const scan = await analyze([a, synthesize(aLeafOnly, { ip: '127.0.68.1' }), d]);
    const smtpCodes = table(scan, 'primary-error').rows.filter((r) => r.service === 'smtp');
    const tlsCodes = table(scan, 'primary-error').rows.filter((r) => r.service === 'tls');
    expect(tlsCodes).toHaveLength(1);
    const c2 = tlsCodes[0]!.code;

    // Passive records stay out of the per-server (scan) tables.
    expect(table(rep, 'primary-error').rows).toEqual([]);
    expect(table(rep, 'validity').rows).toEqual([]);
    expect(rep.totals.servers).toBe(0);

    // smtp:25: 5 connections (A four times, once with its leaf alone; B once), all with a chain, 2 servers.
    // tls:4433: 4 connections (D twice, E twice in TLS 1.3), 2 with a chain, 2 servers seen, 1 with a chain.
    expect(table(rep, 'passive-chains').rows).toEqual([
      { service: 'smtp', port: 25, connections: 5, withChain: 5, chainHidden: 0, seenServers: 2, servers: 2 },
      { service: 'tls', port: 4433, connections: 4, withChain: 2, chainHidden: 2, seenServers: 2, servers: 1 },
    ]);

    const perServer = table(rep, 'passive-primary-error');
    expect(perServer).toMatchObject({ paper: { ref: 'Fig. 5' }, countingRule: 'per-server' });
    // Per server: A and B by their first chain, C1 (A's leaf-only connection is not A's first).
    const c1 = perServer.rows.find((r) => r.service === 'smtp')!.code;
    expect(perServer.rows.filter((r) => r.service === 'smtp')).toEqual([{ service: 'smtp', port: 25, code: c1, error: expect.any(String), servers: 2, of: 2, share: 1 }]);
    expect(perServer.rows.filter((r) => r.service === 'tls')).toEqual([{ service: 'tls', port: 4433, code: c2, error: expect.any(String), servers: 1, of: 1, share: 1 }]);
    expect(perServer.rows.filter((r) => r.service === 'all').map((r) => [r.servers, r.of])).toEqual(c1 === c2 ? [[3, 3]] : [[2, 3], [1, 3]]);

    const perConn = table(rep, 'passive-primary-error-connections');
    expect(perConn).toMatchObject({ paper: { ref: 'Fig. 5' }, countingRule: 'per-connection' });
    expect(perConn.columns.map((c) => c.key)).toEqual(['service', 'port', 'code', 'error', 'connections', 'of', 'share']);
    // By connections: the four C1 connections and the leaf-only one (its own code, or C1's when OpenSSL's first error is the same).
    const leafOnlyCode = smtpCodes.find((r) => r.code !== c1)?.code ?? c1;
    const smtpConn = perConn.rows.filter((r) => r.service === 'smtp');
    expect(smtpConn).toEqual(
      leafOnlyCode === c1
        ? [{ service: 'smtp', port: 25, code: c1, error: expect.any(String), connections: 5, of: 5, share: 1 }]
        : [
            { service: 'smtp', port: 25, code: c1, error: expect.any(String), connections: 4, of: 5, share: 0.8 },
            { service: 'smtp', port: 25, code: leafOnlyCode, error: expect.any(String), connections: 1, of: 5, share: 0.2 },
          ],
    );
    expect(perConn.rows.filter((r) => r.service === 'tls')).toEqual([{ service: 'tls', port: 4433, code: c2, error: expect.any(String), connections: 2, of: 2, share: 1 }]);
    expect(perConn.rows.filter((r) => r.service === 'all').reduce((n, r) => n + Number(r.connections), 0)).toBe(7);

    const figs = rep.figures!.map((f) => [f.id, f.table, f.paper?.ref]);
    expect(figs).toContainEqual(['fig-passive-primary-error', 'passive-primary-error', 'Fig. 5']);
    expect(figs).toContainEqual(['fig-passive-primary-error-connections', 'passive-primary-error-connections', 'Fig. 5']);
    expect(rep.notes!.some((n) => n.includes('passive-primary-error-connections'))).toBe(true);
  });

  it('scan records give the same tables with passive records beside them, and none of the passive tables without', async () => {
    const scan = [a, b, d, e];
    const alone = await analyze(scan);
    expect(alone.tables.map((t) => t.id).filter((id) => id.startsWith('passive'))).toEqual([]);
    expect(alone.figures!.map((f) => f.id).filter((id) => id.includes('passive'))).toEqual([]);
    expect(alone.notes!.some((n) => n.includes('passive-primary-error'))).toBe(false);
    const mixed = await analyze([...scan, passive(a, 1), passive(aLeafOnly, 2), passive(d, 3)]);
    expect(mixed.tables.filter((t) => !t.id.startsWith('passive'))).toEqual(alone.tables);
    expect(mixed.headline).toEqual(alone.headline);
  });

  it('applies the passive exclusion rules (the study\'s by default) and lists them with their counts', async () => {
    const h2 = passive(a, 2, { clientHello: { alpn: ['h2'] } as never });
    const rep = await analyze([passive(a, 1), h2, passive(d, 3, { clientHello: { alpn: ['h2'] } as never })]);
    // smtp:25 offering h2 is left out; tls:4433 is exempt from the ALPN rule.
    expect(table(rep, 'passive-chains').rows.map((r) => [r.service, r.connections])).toEqual([['smtp', 1], ['tls', 1]]);
    expect(table(rep, 'passive-exclusions').rows.map((r) => [r.rule, r.excluded])).toEqual([['alpn-http-push', 1], ['tor-link-certificate', 0]]);
    expect(rep.notes).toContainEqual(expect.stringMatching(/alpn-http-push left out 1; tor-link-certificate left out 0/));
  });
});
