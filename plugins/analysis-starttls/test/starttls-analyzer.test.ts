import { describe, expect, it } from 'vitest';
import type { ProbeRecord } from '@wildtls/core';
import { StartTlsAnalyzer } from '../src/starttls-analyzer.js';

const base = { startedAt: '2025-01-01T00:00:00Z', durationMs: 1, protocol: 'smtp' };

describe('StartTlsAnalyzer', () => {
  it('counts the funnel per server and leaves STARTTLS columns empty for implicit TLS', async () => {
    const a = new StartTlsAnalyzer({ version: 't' });
    const recs: ProbeRecord[] = [
      { ...base, ip: '192.0.2.1', port: 25, service: 'smtp', mode: 'starttls', status: 'success', banner: '220', starttls: { offered: true, upgraded: true }, tls: { chain: ['AAAA', 'BBBB'], ocspStapled: false, completed: true } },
      { ...base, ip: '192.0.2.1', port: 25, service: 'smtp', mode: 'starttls', status: 'connect-failed' }, // same server, later record
      { ...base, ip: '192.0.2.2', port: 25, service: 'smtp', mode: 'starttls', status: 'timeout', banner: '220' },
      { ...base, ip: '192.0.2.3', port: 25, service: 'smtp', mode: 'starttls', status: 'timeout' },
      { ...base, ip: '192.0.2.4', port: 25, service: 'smtp', mode: 'starttls', status: 'starttls-refused', starttls: { offered: true, upgraded: false } },
      { ...base, ip: '192.0.2.5', port: 465, service: 'smtps', mode: 'implicit', status: 'success', tls: { chain: ['AAAA'], ocspStapled: false, completed: true } },
    ];
    for (const r of recs) a.consume(r);
    const rep = await a.finish();
    const [smtp, smtps] = rep.tables[0]!.rows;
    expect(smtp).toMatchObject({ probed: 4, answered: 3, offered: 2, upgraded: 1, negotiated: 1, handshake: 1, offeredShare: 2 / 3 });
    expect(smtps).toMatchObject({ probed: 1, answered: 1, offered: null, upgraded: null, negotiated: 1, handshake: 1 });
    const all = rep.tables[1]!.rows.at(-1)!;
    expect(all).toMatchObject({ service: 'all', leafTotal: 2, leafUnique: 1, interTotal: 1, interUnique: 1 });
  });
});

describe('StartTlsAnalyzer: accepted, negotiated and completed are separate columns (Table I)', () => {
  it('counts STARTTLS accepted, ServerHello seen and handshake completed apart; internal errors are left out', async () => {
    const a = new StartTlsAnalyzer({ version: 't' });
    const smtp = { ...base, port: 25, service: 'smtp', mode: 'starttls' as const, banner: '220', capabilities: { beforeTls: ['STARTTLS'] } };
    const accepted = { offered: true, upgraded: true, reply: '220 go ahead' };
    const chose = { version: 'TLSv1.2' as const, cipherSuite: { id: 0x41, name: 'TLS_RSA_WITH_CAMELLIA_128_CBC_SHA' }, chain: ['AAAA'], ocspStapled: false };
    const recs: ProbeRecord[] = [
      { ...smtp, ip: '192.0.2.1', status: 'success', starttls: accepted, tls: { ...chose, completed: true } },
      { ...smtp, ip: '192.0.2.2', status: 'tls-failed', starttls: accepted, tls: { chain: [], ocspStapled: false, completed: false, error: { kind: 'protocol', message: 'not a TLS record' } } },
      { ...smtp, ip: '192.0.2.3', status: 'success', starttls: accepted, tls: { ...chose, completed: false, notCompletedReason: 'observe-only' } },
      { ...smtp, ip: '192.0.2.4', status: 'tls-failed', starttls: accepted, tls: { ...chose, completed: false, notCompletedReason: 'bulk cipher camellia-cbc is not implemented', error: { kind: 'unsupported', message: 'not completed' } } },
      { ...smtp, ip: '192.0.2.5', status: 'starttls-refused', starttls: { offered: true, upgraded: false, reply: '454 not now' } },
      { ...smtp, ip: '192.0.2.6', status: 'protocol-error', starttls: accepted, error: { reason: 'unexpected-reply', message: 'data after 220' } },
      { ...smtp, ip: '192.0.2.7', status: 'internal-error', starttls: accepted, tls: { ...chose, completed: false, error: { kind: 'internal', message: 'internal error' } } },
      { ...smtp, ip: '192.0.2.8', status: 'no-starttls', starttls: { offered: false, upgraded: false } },
    ];
    for (const r of recs) a.consume(r);
    const rep = await a.finish();
    expect(rep.tables[0]!.rows).toEqual([{
      service: 'smtp', port: 25, mode: 'starttls', probed: 7, answered: 7,
      offered: 6, offeredShare: 6 / 7, upgraded: 5, upgradedShare: 5 / 7, negotiated: 3, negotiatedShare: 3 / 7, handshake: 1, handshakeShare: 1 / 7,
    }]);
    expect(rep.totals).toEqual({ records: 8, servers: 7, internalErrors: 1 });
  });
});

describe('StartTlsAnalyzer on malformed records', () => {
  it('counts only string certificates and never throws', async () => {
    const { HOSTILE_RECORDS } = await import('./hostile-records.js');
    const a = new StartTlsAnalyzer({ version: 't' });
    for (const x of HOSTILE_RECORDS) a.consume(x);
    const rep = await a.finish();
    expect(rep.tables[1]!.rows.at(-1)).toMatchObject({ leafTotal: 0, interTotal: 1, interUnique: 1 });
    expect(rep.totals).toMatchObject({ records: 4, servers: 4 });
  });
});
