import { describe, expect, it } from 'vitest';
import type { ProbeRecord, Report, ReportTable } from '@wildtls/core';
import { selfSignedCertificate } from '@wildtls/core/testing';
import { ReuseAnalyzer } from '../src/reuse-analyzer.js';

/** A passive record: one captured connection from a client to ip:port, the server having sent `chain` (empty: none seen). */
function conn(ip: string, port: number, service: string, chain: string[], alpn: string[] = []): ProbeRecord {
  const t = new Date().toISOString();
  return {
    ip, port, service, protocol: service, mode: 'implicit', status: 'success', startedAt: t, durationMs: 1, source: 'passive',
    tls: { chain, ocspStapled: false, completed: true },
    passive: { client: { ip: 'hmac-sha256:00', port: 50000 }, captureStart: t, captureEnd: t, midStream: false, endReason: 'fin', clientHello: { alpn } as never },
  } as ProbeRecord;
}

async function analyze(records: ProbeRecord[]): Promise<Report> {
  const r = new ReuseAnalyzer({ version: 't', classifier: { classify: () => 'self-signed' }, classifierName: 't', topInvalid: 5 });
  for (const x of records) await r.consume(x);
  return r.finish();
}
const table = (rep: Report, id: string): ReportTable => rep.tables.find((t) => t.id === id) ?? expect.unreachable(`no table ${id}`);

describe('ReuseAnalyzer: Table V of passive records (per certificate, per server, per connection)', () => {
  it('counts certificates on several IPs by port, and weights them by servers and by connections', async () => {
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((cn) => selfSignedCertificate({ keyType: 'ec', commonName: cn })));
    const A = a!.der.toString('base64');
    const B = b!.der.toString('base64');
    const C = c!.der.toString('base64');
    // Declared population:
    // https:443  A on .1 (3 connections) and .2 (1); B on .3 (2); one TLS 1.3 connection to .3 (no chain seen).
    // imaps:993  A on .1 (1); C on .4 (1) and on .4 again through another port (imaps:9993, 1).
    // smtp:25    B on .5 (1), and a connection offering h2 (left out by alpn-http-push).
    const records = [
      conn('192.0.2.1', 443, 'https', [A]), conn('192.0.2.1', 443, 'https', [A]), conn('192.0.2.1', 443, 'https', [A]),
      conn('192.0.2.2', 443, 'https', [A]),
      conn('192.0.2.3', 443, 'https', [B]), conn('192.0.2.3', 443, 'https', [B]),
      conn('192.0.2.3', 443, 'https', []),
      conn('192.0.2.1', 993, 'imaps', [A]),
      conn('192.0.2.4', 993, 'imaps', [C]), conn('192.0.2.4', 9993, 'imaps', [C]),
      conn('192.0.2.5', 25, 'smtp', [B]),
      conn('192.0.2.6', 25, 'smtp', [A], ['h2']),
    ];
    const rep = await analyze(records);
    expect(table(rep, 'passive-reuse')).toMatchObject({ paper: { ref: 'Table V' }, countingRule: 'per-certificate' });
    // A is on 2 IPs of port 443, 1 IP of 993; B on 1 IP of 443, 1 of 25; over all ports A has 2 IPs (.1 .2), B 2 (.3 .5), C 1.
    expect(table(rep, 'passive-reuse').rows).toEqual([
      { service: 'https', port: 443, certificates: 2, onSeveralIps: 1, share: 1 / 2 },
      { service: 'imaps', port: 993, certificates: 2, onSeveralIps: 0, share: 0 },
      { service: 'imaps', port: 9993, certificates: 1, onSeveralIps: 0, share: 0 },
      { service: 'smtp', port: 25, certificates: 1, onSeveralIps: 0, share: 0 },
      { service: 'all', port: null, certificates: 3, onSeveralIps: 2, share: 2 / 3 },
    ]);
    expect(table(rep, 'passive-reuse-servers')).toMatchObject({ countingRule: 'per-server' });
    // Servers: 443 has .1 .2 .3 (the TLS 1.3 connection's server .3 also sent B); over all ports .1:993 (A) and .5:25 (B) reuse too.
    expect(table(rep, 'passive-reuse-servers').rows).toEqual([
      { service: 'https', port: 443, servers: 3, onSeveralIps: 2, share: 2 / 3 },
      { service: 'imaps', port: 993, servers: 2, onSeveralIps: 0, share: 0 },
      { service: 'imaps', port: 9993, servers: 1, onSeveralIps: 0, share: 0 },
      { service: 'smtp', port: 25, servers: 1, onSeveralIps: 0, share: 0 },
      { service: 'all', port: null, servers: 7, onSeveralIps: 5, share: 5 / 7 },
    ]);
    expect(table(rep, 'passive-reuse-connections')).toMatchObject({ countingRule: 'per-connection' });
    expect(table(rep, 'passive-reuse-connections').rows).toEqual([
      { service: 'https', port: 443, connections: 7, withCertificate: 6, onSeveralIps: 4, share: 4 / 6 },
      { service: 'imaps', port: 993, connections: 2, withCertificate: 2, onSeveralIps: 0, share: 0 },
      { service: 'imaps', port: 9993, connections: 1, withCertificate: 1, onSeveralIps: 0, share: 0 },
      { service: 'smtp', port: 25, connections: 1, withCertificate: 1, onSeveralIps: 0, share: 0 },
      // all: A's 5 connections and B's 3 are on 2 IPs; C's 2 are not.
      { service: 'all', port: null, connections: 11, withCertificate: 10, onSeveralIps: 8, share: 8 / 10 },
    ]);
    expect(table(rep, 'passive-exclusions').rows).toEqual([
      { rule: 'alpn-http-push', description: expect.any(String), excluded: 1 },
      { rule: 'tor-link-certificate', description: expect.any(String), excluded: 0 },
    ]);
    // Every passive record is reported; none is in the scan tables.
    expect(rep.totals).toMatchObject({ records: 12, passive: 12, servers: 0, certificates: 0 });
  });

  it('passiveExclusions: [] keeps every connection; no passive record, no passive table', async () => {
    const a = await selfSignedCertificate({ keyType: 'ec', commonName: 'a' });
    const A = a.der.toString('base64');
    const r = new ReuseAnalyzer({ version: 't', classifier: { classify: () => 'self-signed' }, classifierName: 't', topInvalid: 5, passiveExclusions: [] });
    await r.consume(conn('192.0.2.6', 25, 'smtp', [A], ['h2']));
    const rep = await r.finish();
    expect(table(rep, 'passive-reuse').rows[0]).toEqual({ service: 'smtp', port: 25, certificates: 1, onSeveralIps: 0, share: 0 });
    expect(table(rep, 'passive-exclusions').rows).toEqual([]);
    expect(rep.notes).toContain('Passive exclusions: none applied.');
    const scanOnly = await analyze([{ ...conn('192.0.2.6', 25, 'smtp', [A]), source: undefined, passive: undefined }]);
    expect(scanOnly.tables.filter((t) => t.id.startsWith('passive-'))).toEqual([]);
  });
});
