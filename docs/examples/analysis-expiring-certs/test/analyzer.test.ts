/**
 * The analysis over records built here from freshly generated certificates
 * with chosen notAfter dates; every expected number is worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import type { ProbeRecord } from '@wildtls/core';
import { selfSignedCertificate } from '@wildtls/core/testing';
import plugin, { ExpiringCertsAnalyzer, classify } from '../src/index.js';

const SCAN = new Date('2026-03-01T00:00:00Z');
const DAY = 86_400_000;
const certIn = async (days: number) => (await selfSignedCertificate({ keyType: 'ec', notAfter: new Date(SCAN.getTime() + days * DAY) })).der.toString('base64');

function record(ip: string, service: string, chain?: string[], startedAt = SCAN): ProbeRecord {
  return {
    ip, port: service === 'smtp' ? 25 : 993, service, protocol: service, mode: 'starttls', status: chain ? 'success' : 'no-starttls',
    startedAt: startedAt.toISOString(), durationMs: 10,
    ...(chain ? { tls: { chain, ocspStapled: false, completed: true } } : {}),
  };
}

describe('expiring-certs analysis', () => {
  it('classifies by the window, inclusive at its end', async () => {
    expect(classify(await certIn(30), SCAN, 30).expiry).toBe('expiring');
    expect(classify(await certIn(31), SCAN, 30).expiry).toBe('valid');
    expect(classify(await certIn(-1), SCAN, 30).expiry).toBe('expired');
    expect(classify('bm90IGEgY2VydGlmaWNhdGU=', SCAN, 30).expiry).toBe('unparsable');
  });

  it('counts per server and per service', async () => {
    const soon = await certIn(5);
    const later = await certIn(200);
    const gone = await certIn(-3);
    const a = new ExpiringCertsAnalyzer({ version: plugin.version, services: [], days: 30 });
    for (const r of [
      record('192.0.2.1', 'smtp', [soon]),
      record('192.0.2.1', 'smtp', [later]), // same server again: ignored
      record('192.0.2.2', 'smtp', [later]),
      record('192.0.2.3', 'smtp'),
      record('192.0.2.4', 'imaps', [gone]),
      record('192.0.2.5', 'imaps', [soon]),
    ]) a.consume(r);
    const report = a.finish();
    expect(report.totals).toEqual({ records: 6, servers: 5 });
    expect(report.tables[0]!.rows).toEqual([
      { service: 'imaps', servers: 2, withCertificate: 2, expiring: 1, expiringShare: 0.5, expired: 1, unparsable: 0 },
      { service: 'smtp', servers: 3, withCertificate: 2, expiring: 1, expiringShare: 0.5, expired: 0, unparsable: 0 },
    ]);
    expect(report.tables[1]!.rows.map((r) => [r.service, r.ip, r.daysLeft])).toEqual([
      ['imaps', '192.0.2.5', 5],
      ['smtp', '192.0.2.1', 5],
    ]);
  });

  it('evaluates at --at instead of the scan time', async () => {
    const a = new ExpiringCertsAnalyzer({ version: '0', services: [], days: 30, at: new Date(SCAN.getTime() + 180 * DAY) });
    a.consume(record('192.0.2.2', 'smtp', [await certIn(200)]));
    expect(a.finish().tables[0]!.rows[0]).toMatchObject({ expiring: 1 });
  });
});
