import { describe, expect, it } from 'vitest';
import type { ProbeRecord } from '@wildtls/core';
import { SaslAnalyzer } from '../src/sasl-analyzer.js';

function rec(ip: string, extra: Partial<ProbeRecord>, service = 'imap', port = 143): ProbeRecord {
  return { ip, port, service, protocol: 'imap', mode: 'starttls', status: 'success', startedAt: '2025-01-01T00:00:00Z', durationMs: 1, ...extra };
}

describe('SaslAnalyzer', () => {
  it('counts per server, normalises case, keeps server order and reads LOGINDISABLED', async () => {
    const a = new SaslAnalyzer({ version: 't' });
    a.consume(rec('192.0.2.1', { capabilities: { beforeTls: ['IMAP4rev1', 'logindisabled'] }, sasl: { afterTls: ['plain', 'login'] } }));
    a.consume(rec('192.0.2.1', { sasl: { afterTls: ['CRAM-MD5'] } })); // same server again: ignored
    a.consume(rec('192.0.2.2', { capabilities: { beforeTls: ['IMAP4rev1'] }, sasl: { beforeTls: ['PLAIN'], afterTls: ['SCRAM-SHA-1', 'PLAIN'] } }));
    a.consume(rec('192.0.2.3', { capabilities: { beforeTls: ['IMAP4rev1'] } })); // no SASL at all
    a.consume(rec('192.0.2.4', { status: 'connect-failed' })); // said nothing
    const r = await a.finish();
    const summary = r.tables.find((t) => t.id === 'summary')!.rows[0]!;
    expect(summary).toMatchObject({ servers: 3, withSasl: 2, plaintextOnly: 0.5, plaintextFirst: 0.5, beforeTlsAny: 0.5, beforeTlsPlaintext: 0.5, loginDisabled: 1 / 3 });
    const combos = r.tables.find((t) => t.id === 'combinations')!.rows.map((x) => x.mechanisms);
    expect(combos).toEqual([['PLAIN', 'LOGIN'], ['SCRAM-SHA-1', 'PLAIN']]);
    expect(r.totals).toMatchObject({ records: 5, servers: 4 });
  });

  it('takes its plaintext list from options and limits combinations', async () => {
    const a = new SaslAnalyzer({ version: 't', plaintextMechanisms: ['plain'], topCombinations: 1 });
    a.consume(rec('192.0.2.1', { sasl: { afterTls: ['LOGIN'] } }, 'smtp', 25));
    a.consume(rec('192.0.2.2', { sasl: { afterTls: ['LOGIN'] } }, 'smtp', 25));
    a.consume(rec('192.0.2.3', { sasl: { afterTls: ['PLAIN'] } }, 'smtp', 25));
    const r = await a.finish();
    expect(r.tables.find((t) => t.id === 'summary')!.rows[0]).toMatchObject({ plaintextOnly: 1 / 3, loginDisabled: null });
    expect(r.tables.find((t) => t.id === 'combinations')!.rows).toHaveLength(1);
  });
});

describe('SaslAnalyzer and internal errors', () => {
  it('leaves records with status internal-error out of every count, and says how many', async () => {
    const a = new SaslAnalyzer({ version: 't' });
    a.consume(rec('192.0.2.1', { status: 'internal-error', capabilities: { beforeTls: ['IMAP4rev1'] }, sasl: { beforeTls: ['PLAIN'] }, error: { reason: 'internal', message: 'TypeError' } }));
    a.consume(rec('192.0.2.2', { capabilities: { beforeTls: ['IMAP4rev1'] }, sasl: { afterTls: ['SCRAM-SHA-256'] } }));
    const r = await a.finish();
    expect(r.totals).toEqual({ records: 2, servers: 1, withSasl: 1, internalErrors: 1 });
    expect(r.tables.find((t) => t.id === 'mechanisms')!.rows.map((x) => [x.mechanism, x.servers])).toEqual([['SCRAM-SHA-256', 1]]);
    expect(r.tables.find((t) => t.id === 'summary')!.rows[0]).toMatchObject({ servers: 1, withSasl: 1, beforeTlsAny: 0 });
  });
});

describe('SaslAnalyzer on malformed records', () => {
  it('keeps the strings of list fields, ignores the rest, never throws', async () => {
    const { HOSTILE_RECORDS } = await import('./hostile-records.js');
    const a = new SaslAnalyzer({ version: 't' });
    for (const x of HOSTILE_RECORDS) a.consume(x);
    const r = await a.finish();
    expect(r.tables.find((t) => t.id === 'combinations')!.rows.map((x) => x.mechanisms)).toEqual([['PLAIN']]);
    expect(r.totals).toMatchObject({ records: 4, servers: 4, withSasl: 1 });
  });
});
