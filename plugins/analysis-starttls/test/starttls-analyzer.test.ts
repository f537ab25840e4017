import { describe, expect, it } from 'vitest';
import type { ProbeRecord, Report } from '@wildtls/core';
import { StartTlsAnalyzer } from '../src/starttls-analyzer.js';
import { isNoise } from '../src/host-state.js';

const base = { startedAt: '2025-01-01T00:00:00Z', durationMs: 1, protocol: 'smtp' };
const table = (r: Report, id: string) => r.tables.find((t) => t.id === id)!;
const funnel = (r: Report, service: string) => Object.fromEntries(table(r, 'starttls-funnel').rows.filter((x) => x.service === service).map((x) => [x.step, x.servers]));

describe('StartTlsAnalyzer: Table I and Table III over the hosts with the port open', () => {
  it('counts per server, with noise hosts in the denominator; STARTTLS columns only for STARTTLS ports', async () => {
    const a = new StartTlsAnalyzer({ version: 't' });
    const recs: ProbeRecord[] = [
      { ...base, ip: '192.0.2.1', port: 25, service: 'smtp', mode: 'starttls', status: 'success', banner: '220', starttls: { offered: true, upgraded: true }, tls: { chain: ['AAAA', 'BBBB'], ocspStapled: false, completed: true } },
      { ...base, ip: '192.0.2.1', port: 25, service: 'smtp', mode: 'starttls', status: 'connect-failed' }, // same server, later record
      { ...base, ip: '192.0.2.2', port: 25, service: 'smtp', mode: 'starttls', status: 'timeout', banner: '220' },
      { ...base, ip: '192.0.2.3', port: 25, service: 'smtp', mode: 'starttls', status: 'timeout' }, // noise
      { ...base, ip: '192.0.2.4', port: 25, service: 'smtp', mode: 'starttls', status: 'starttls-refused', banner: '220', starttls: { offered: true, upgraded: false } },
      { ...base, ip: '192.0.2.6', port: 25, service: 'smtp', mode: 'starttls', status: 'connect-failed', error: { reason: 'connect-refused', message: 'refused' } },
      { ...base, ip: '192.0.2.5', port: 465, service: 'smtps', mode: 'implicit', status: 'success', tls: { chain: ['AAAA'], ocspStapled: false, completed: true } },
    ];
    for (const r of recs) a.consume(r);
    const rep = a.finish();
    const [smtp, smtps, all] = table(rep, 'tls-overview').rows;
    expect(smtp).toEqual({ service: 'smtp', port: 25, mode: 'starttls', hosts: 4, tls: 1, tlsShare: 1 / 4, leafUnique: 1, leafUniqueShare: 1, interTotal: 1, interUnique: 1, interUniqueShare: 1, noise: 1, noiseShare: 1 / 4 });
    expect(smtps).toMatchObject({ hosts: 1, tls: 1, noise: 0 });
    // The whole scan: sums, except unique certificates (AAAA on both ports counts once).
    expect(all).toEqual({ service: 'all', port: null, mode: null, hosts: 5, tls: 2, tlsShare: 2 / 5, leafUnique: 1, leafUniqueShare: 1 / 2, interTotal: 1, interUnique: 1, interUniqueShare: 1, noise: 1, noiseShare: 1 / 5 });
    expect(table(rep, 'tls-overview').paper).toEqual({ ref: 'Table I' });
    expect(table(rep, 'starttls-support').rows).toEqual([{ service: 'smtp', port: 25, hosts: 4, upgraded: 1, upgradedShare: 1 / 4 }]);
    expect(table(rep, 'starttls-support').paper).toEqual({ ref: 'Table III' });
    expect(funnel(rep, 'smtps')).toEqual({ probed: 1, 'port open': 1, 'noise (no byte)': 0, answered: 1, 'TLS reached (ServerHello)': 1, 'handshake completed': 1 });
    expect(table(rep, 'starttls-funnel').paper).toBeUndefined();
  });

  it('keeps STARTTLS accepted, TLS reached and completed apart; internal errors are left out', async () => {
    const a = new StartTlsAnalyzer({ version: 't' });
    const smtp = { ...base, port: 25, service: 'smtp', mode: 'starttls' as const, banner: '220', capabilities: { beforeTls: ['STARTTLS'] } };
    const accepted = { offered: true, upgraded: true, reply: '220 go ahead' };
    const chose = { version: 'TLSv1.2' as const, cipherSuite: { id: 0x96, name: 'TLS_RSA_WITH_SEED_CBC_SHA' }, chain: ['AAAA'], ocspStapled: false };
    const recs: ProbeRecord[] = [
      { ...smtp, ip: '192.0.2.1', status: 'success', starttls: accepted, tls: { ...chose, completed: true } },
      { ...smtp, ip: '192.0.2.2', status: 'tls-failed', starttls: accepted, tls: { chain: [], ocspStapled: false, completed: false, error: { kind: 'protocol', message: 'not a TLS record' } } },
      { ...smtp, ip: '192.0.2.3', status: 'success', starttls: accepted, tls: { ...chose, completed: false, notCompletedReason: 'observe-only' } },
      { ...smtp, ip: '192.0.2.4', status: 'tls-failed', starttls: accepted, tls: { ...chose, completed: false, notCompletedReason: 'bulk cipher seed-cbc is not implemented', error: { kind: 'unsupported', message: 'not completed' } } },
      { ...smtp, ip: '192.0.2.5', status: 'starttls-refused', starttls: { offered: true, upgraded: false, reply: '454 not now' } },
      { ...smtp, ip: '192.0.2.6', status: 'protocol-error', starttls: accepted, error: { reason: 'unexpected-reply', message: 'data after 220' } },
      { ...smtp, ip: '192.0.2.7', status: 'internal-error', starttls: accepted, tls: { ...chose, completed: false, error: { kind: 'internal', message: 'internal error' } } },
      { ...smtp, ip: '192.0.2.8', status: 'no-starttls', starttls: { offered: false, upgraded: false } },
    ];
    for (const r of recs) a.consume(r);
    const rep = a.finish();
    expect(funnel(rep, 'smtp')).toEqual({
      probed: 7, 'port open': 7, 'noise (no byte)': 0, answered: 7, 'STARTTLS offered': 6, 'STARTTLS accepted (upgraded)': 5, 'TLS reached (ServerHello)': 3, 'handshake completed': 1,
    });
    expect(table(rep, 'starttls-funnel').rows.find((x) => x.step === 'STARTTLS accepted (upgraded)')).toMatchObject({ ofHosts: 5 / 7, ofAnswered: 5 / 7 });
    expect(table(rep, 'tls-overview').rows[0]).toMatchObject({ hosts: 7, tls: 3, leafUnique: 1, leafUniqueShare: 1 / 3 });
    expect(rep.totals).toEqual({ records: 8, servers: 7, hosts: 7, noiseHosts: 0, internalErrors: 1 });
  });
});

describe('noise hosts: the port open, not a byte from the server', () => {
  const at = { ...base, ip: '192.0.2.1', port: 25, service: 'smtp', mode: 'starttls' as const };
  it('bytesReceived decides when the record has it', () => {
    expect(isNoise({ ...at, status: 'timeout', bytesReceived: 0 } as ProbeRecord)).toBe(true);
    // Bytes that made no banner (a partial line before the deadline): the server spoke.
    expect(isNoise({ ...at, status: 'timeout', bytesReceived: 7 } as ProbeRecord)).toBe(false);
    expect(isNoise({ ...at, status: 'connect-failed', bytesReceived: 0 } as ProbeRecord)).toBe(false);
  });

  it('without it: nothing from the server, and the probe ended on silence, a close or a reset', () => {
    expect(isNoise({ ...at, status: 'timeout', error: { reason: 'read-timeout', message: '' } })).toBe(true);
    expect(isNoise({ ...at, status: 'protocol-error', error: { reason: 'connection-closed', message: '' } })).toBe(true);
    expect(isNoise({ ...at, status: 'protocol-error', error: { reason: 'connection-reset', message: '' } })).toBe(true);
    expect(isNoise({ ...at, status: 'timeout', banner: '220 mx' })).toBe(false);
    expect(isNoise({ ...at, status: 'protocol-error', error: { reason: 'malformed-reply', message: '' } })).toBe(false);
    const implicit = { ...at, port: 993, service: 'imaps', mode: 'implicit' as const };
    expect(isNoise({ ...implicit, status: 'tls-failed', error: { reason: 'tls-timeout', message: '' }, tls: { chain: [], ocspStapled: false, completed: false, error: { kind: 'timeout', message: '' } } })).toBe(true);
    expect(isNoise({ ...implicit, status: 'tls-failed', error: { reason: 'tls-alert', message: '' }, tls: { chain: [], ocspStapled: false, completed: false, error: { kind: 'alert', message: '' } } })).toBe(false);
  });
});

describe('StartTlsAnalyzer on malformed records', () => {
  it('counts only string certificates and never throws', async () => {
    const { HOSTILE_RECORDS } = await import('./hostile-records.js');
    const a = new StartTlsAnalyzer({ version: 't' });
    for (const x of HOSTILE_RECORDS) a.consume(x);
    const rep = a.finish();
    expect(table(rep, 'tls-overview').rows.at(-1)).toMatchObject({ tls: 2, leafUnique: 0, interTotal: 1, interUnique: 1 });
    expect(rep.totals).toMatchObject({ records: 4, servers: 4 });
  });
});

describe('StartTlsAnalyzer: passive records, weighted by connection', () => {
  const scan: ProbeRecord[] = [
    { ...base, ip: '192.0.2.1', port: 25, service: 'smtp', mode: 'starttls', status: 'success', banner: '220', starttls: { offered: true, upgraded: true }, tls: { chain: ['AAAA'], ocspStapled: false, completed: true } },
    { ...base, ip: '192.0.2.2', port: 25, service: 'smtp', mode: 'starttls', status: 'no-starttls', banner: '220', starttls: { offered: false, upgraded: false } },
  ];
  const client = { ip: 'hmac-sha256:00', port: 1 };
  const passive = (ip: string, offered: boolean, upgraded: boolean, completed: boolean): ProbeRecord => ({
    ...base, ip, port: 25, service: 'smtp', mode: 'starttls', status: completed ? 'success' : 'no-starttls', source: 'passive',
    starttls: { offered, upgraded }, ...(completed ? { tls: { chain: [], ocspStapled: false, completed } } : {}),
    passive: { client, captureStart: base.startedAt, captureEnd: base.startedAt, midStream: false, endReason: 'fin', starttlsRequested: upgraded },
  });
  const conns = [
    passive('198.51.100.1', true, true, true), passive('198.51.100.1', true, true, true), passive('198.51.100.1', true, false, false),
    passive('198.51.100.2', false, false, false),
    { ...passive('198.51.100.3', true, true, true), port: 465, service: 'smtps', mode: 'implicit' as const },
  ];

  it('scan records alone: the report is exactly what it was (no passive table, same notes)', () => {
    const a = new StartTlsAnalyzer({ version: 't' });
    for (const r of scan) a.consume(r);
    const rep = a.finish();
    expect(rep.tables.map((t) => t.id)).toEqual(['tls-overview', 'starttls-support', 'starttls-funnel']);
    expect(rep.notes!.some((n) => n.includes('source "passive"'))).toBe(false);
  });

  it('scan and passive records together: the scan tables are unchanged; Table II and Table III\'s passive columns count connections', () => {
    const only = new StartTlsAnalyzer({ version: 't' });
    for (const r of scan) only.consume(r);
    const mixed = new StartTlsAnalyzer({ version: 't' });
    for (const r of [...conns.slice(0, 2), ...scan, ...conns.slice(2)]) mixed.consume(r);
    const a = only.finish();
    const b = mixed.finish();
    for (const id of ['tls-overview', 'starttls-support', 'starttls-funnel']) expect(table(b, id)).toEqual(table(a, id));
    expect(table(b, 'passive-connections').rows).toEqual([
      { service: 'smtp', port: 25, connections: 4, servers: 2, completed: 2 },
      { service: 'smtps', port: 465, connections: 1, servers: 1, completed: 1 },
    ]);
    expect(table(b, 'passive-connections')).toMatchObject({ paper: { ref: 'Table II' }, countingRule: 'per-connection' });
    expect(table(b, 'passive-starttls').rows).toEqual([
      { service: 'smtp', port: 25, servers: 2, serversStarttls: 1, connections: 4, offered: 3, offeredShare: 3 / 4, upgraded: 2, upgradedShare: 2 / 3 },
    ]);
    expect(table(b, 'passive-starttls').paper).toEqual({ ref: 'Table III' });
  });

  it('leaves out connections offering HTTP or push ALPN on other ports (configurable), and says so in the notes', () => {
    const hello = (alpn: string[]) => ({ version: '0x0303', supportedVersions: [], cipherSuites: [], alpn, groups: [], signatureAlgorithms: [], extensions: [], sessionIdLength: 0, ticketOffered: false, pskOffered: false });
    const push = { ...passive('198.51.100.9', false, false, true), port: 5223, service: 'xmpps-client', mode: 'implicit' as const };
    push.passive = { ...push.passive!, clientHello: hello(['apns-security-v3']) };
    const web = { ...passive('198.51.100.8', false, false, true), port: 443, service: 'https', mode: 'implicit' as const };
    web.passive = { ...web.passive!, clientHello: hello(['h2']) };
    const a = new StartTlsAnalyzer({ version: 't' });
    for (const r of [push, web]) a.consume(r);
    const rep = a.finish();
    expect(table(rep, 'passive-connections').rows).toEqual([{ service: 'https', port: 443, connections: 1, servers: 1, completed: 1 }]);
    expect(rep.notes).toContainEqual(expect.stringMatching(/^Passive exclusions .*alpn-http-push left out 1; tor-link-certificate left out 0/));
    expect(table(rep, 'passive-exclusions').rows.map((r) => [r.rule, r.excluded])).toEqual([['alpn-http-push', 1], ['tor-link-certificate', 0]]);
    const keep = new StartTlsAnalyzer({ version: 't', passiveExclusions: [] });
    keep.consume(push);
    expect(table(keep.finish(), 'passive-connections').rows).toHaveLength(1);
  });
});
