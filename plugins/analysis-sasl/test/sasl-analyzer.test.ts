import { describe, expect, it } from 'vitest';
import type { ProbeRecord, Report } from '@wildtls/core';
import { SaslAnalyzer } from '../src/sasl-analyzer.js';

function rec(ip: string, extra: Partial<ProbeRecord>, service = 'imap', port = 143): ProbeRecord {
  return { ip, port, service, protocol: service.replace(/s$/, ''), mode: 'starttls', status: 'success', startedAt: '2025-01-01T00:00:00Z', durationMs: 1, ...extra };
}
const rows = (r: Report, id: string) => r.tables.find((t) => t.id === id)!.rows;

describe('SaslAnalyzer: after TLS (Tables VIII-XI)', () => {
  it('counts per server, normalises case, keeps server order, never falls back to the before-TLS list', async () => {
    const a = new SaslAnalyzer({ version: 't' });
    a.consume(rec('192.0.2.1', { capabilities: { beforeTls: ['IMAP4rev1', 'logindisabled'], afterTls: ['IMAP4rev1'] }, sasl: { beforeTls: [], afterTls: ['plain', 'login'] } }));
    a.consume(rec('192.0.2.1', { capabilities: { afterTls: [] }, sasl: { afterTls: ['CRAM-MD5'] } })); // same server again: ignored
    a.consume(rec('192.0.2.2', { capabilities: { beforeTls: ['IMAP4rev1'], afterTls: ['IMAP4rev1'] }, sasl: { beforeTls: ['PLAIN'], afterTls: ['SCRAM-SHA-1', 'PLAIN'] } }));
    // AUTH in the clear, none after TLS: no SASL after TLS (the study's rule), not PLAIN.
    a.consume(rec('192.0.2.3', { capabilities: { beforeTls: ['IMAP4rev1'], afterTls: ['IMAP4rev1'] }, sasl: { beforeTls: ['PLAIN'], afterTls: [] } }));
    // Never reached TLS: not in the after-TLS population.
    a.consume(rec('192.0.2.4', { status: 'no-starttls', capabilities: { beforeTls: ['IMAP4rev1'] }, sasl: { beforeTls: ['LOGIN'] } }));
    a.consume(rec('192.0.2.5', { status: 'connect-failed' })); // said nothing
    const r = a.finish();
    expect(rows(r, 'after-tls-text')).toEqual([
      { service: 'imap', port: 143, servers: 3, withSasl: 2, noSasl: 1, anyPlaintext: 1, anyCram: 0, anyScram: 0.5, anyCramOrScram: 0.5, plaintextOnly: 0.5, plaintextFirst: 0.5 },
      { service: 'all', port: null, servers: 3, withSasl: 2, noSasl: 1, anyPlaintext: 1, anyCram: 0, anyScram: 0.5, anyCramOrScram: 0.5, plaintextOnly: 0.5, plaintextFirst: 0.5 },
    ]);
    expect(rows(r, 'mechanisms').map((x) => [x.mechanism, x.servers, x.share])).toEqual([['PLAIN', 2, 1], ['LOGIN', 1, 0.5], ['SCRAM-SHA-1', 1, 0.5]]);
    expect(rows(r, 'combinations').map((x) => [x.rank, x.mechanisms, x.servers])).toEqual([[1, ['PLAIN', 'LOGIN'], 1], [2, ['SCRAM-SHA-1', 'PLAIN'], 1]]);
    expect(r.totals).toMatchObject({ records: 6, servers: 5, afterTlsServers: 3, withSaslAfterTls: 2, beforeTlsServers: 4, withSaslBeforeTls: 3 });
  });

  it('implicit-TLS services: the only capabilities are after TLS, and they have no before-STARTTLS rows', async () => {
    const a = new SaslAnalyzer({ version: 't' });
    a.consume(rec('192.0.2.1', { mode: 'implicit', capabilities: { afterTls: ['AUTH PLAIN'] }, sasl: { afterTls: ['PLAIN'] } }, 'smtps', 465));
    a.consume(rec('192.0.2.2', { mode: 'implicit', capabilities: { afterTls: ['PIPELINING'] }, sasl: { afterTls: [] } }, 'smtps', 465));
    const r = a.finish();
    expect(rows(r, 'after-tls-text')[0]).toMatchObject({ service: 'smtps', servers: 2, withSasl: 1, noSasl: 1, plaintextOnly: 1 });
    expect(rows(r, 'before-tls-text')).toEqual([]);
  });

  it('takes its plaintext list from options and limits combinations', async () => {
    const a = new SaslAnalyzer({ version: 't', plaintextMechanisms: ['plain'], topCombinations: 1 });
    a.consume(rec('192.0.2.1', { sasl: { afterTls: ['LOGIN'] } }, 'smtp', 25));
    a.consume(rec('192.0.2.2', { sasl: { afterTls: ['LOGIN'] } }, 'smtp', 25));
    a.consume(rec('192.0.2.3', { sasl: { afterTls: ['PLAIN'] } }, 'smtp', 25));
    const r = a.finish();
    expect(rows(r, 'after-tls-text')[0]).toMatchObject({ plaintextOnly: 1 / 3, anyPlaintext: 1 / 3 });
    expect(rows(r, 'combinations')).toHaveLength(1);
  });

  it('marks each table with the study\'s table it reproduces', async () => {
    const r = new SaslAnalyzer({ version: 't' }).finish();
    expect(r.tables.map((t) => [t.id, t.paper])).toEqual([
      ['mechanisms', { ref: 'Tables VIII-XI', order: 1 }],
      ['combinations', { ref: 'Tables VIII-XI', order: 2 }],
      ['after-tls-text', { ref: 'Tables VIII-XI', order: 3 }],
      ['before-tls-mechanisms', { ref: 'Tables XII-XIII', order: 1 }],
      ['before-tls-combinations', { ref: 'Tables XII-XIII', order: 2 }],
      ['before-tls-text', { ref: 'Tables XII-XIII', order: 3 }],
    ]);
  });
});

describe('SaslAnalyzer: before STARTTLS (Tables XII-XIII)', () => {
  it('gives shares of ALL servers that listed capabilities before STARTTLS, and LOGINDISABLED of the IMAP ones', async () => {
    const a = new SaslAnalyzer({ version: 't' });
    a.consume(rec('192.0.2.1', { capabilities: { beforeTls: ['IMAP4rev1', 'LOGINDISABLED'] }, sasl: { beforeTls: [] } }));
    a.consume(rec('192.0.2.2', { status: 'no-starttls', capabilities: { beforeTls: ['IMAP4rev1', 'AUTH=PLAIN'] }, sasl: { beforeTls: ['PLAIN'] } }));
    a.consume(rec('192.0.2.3', { status: 'starttls-refused', capabilities: { beforeTls: ['IMAP4rev1', 'AUTH=CRAM-MD5'] }, sasl: { beforeTls: ['CRAM-MD5'] } }));
    a.consume(rec('192.0.2.4', { capabilities: { beforeTls: ['IMAP4rev1'] }, sasl: { beforeTls: ['PLAIN'] } }));
    const r = a.finish();
    expect(rows(r, 'before-tls-mechanisms').map((x) => [x.mechanism, x.servers, x.share])).toEqual([['PLAIN', 2, 0.5], ['CRAM-MD5', 1, 0.25]]);
    expect(rows(r, 'before-tls-combinations').map((x) => [x.mechanisms, x.servers, x.share])).toEqual([[['PLAIN'], 2, 0.5], [['CRAM-MD5'], 1, 0.25]]);
    expect(rows(r, 'before-tls-text')).toEqual([
      { service: 'imap', port: 143, servers: 4, withSasl: 0.75, anyPlaintext: 0.5, loginDisabled: 0.25 },
      { service: 'all', port: null, servers: 4, withSasl: 0.75, anyPlaintext: 0.5, loginDisabled: 0.25 },
    ]);
    expect(r.tables.find((t) => t.id === 'before-tls-mechanisms')!.columns.map((c) => c.key)).not.toContain('connections');
  });

  it('weights passive records by connection beside servers, and keeps them out of the after-TLS tables', async () => {
    const a = new SaslAnalyzer({ version: 't' });
    const passive = (ip: string, before: string[]) => ({ ...rec(ip, { capabilities: { beforeTls: ['PIPELINING'] }, sasl: { beforeTls: before } }, 'smtp', 25), source: 'passive' }) as ProbeRecord;
    // Server .1 seen on three connections offering PLAIN LOGIN, server .2 on one offering nothing.
    for (let i = 0; i < 3; i++) a.consume(passive('192.0.2.1', ['PLAIN', 'LOGIN']));
    a.consume(passive('192.0.2.2', []));
    a.consume(rec('192.0.2.3', { capabilities: { beforeTls: ['PIPELINING'], afterTls: [] }, sasl: { beforeTls: ['LOGIN'], afterTls: ['LOGIN'] } }, 'smtp', 25));
    const r = a.finish();
    expect(rows(r, 'before-tls-mechanisms').map((x) => [x.source, x.mechanism, x.servers, x.share, x.connections, x.connectionShare])).toEqual([
      ['active', 'LOGIN', 1, 1, null, null],
      ['passive', 'LOGIN', 1, 0.5, 3, 0.75],
      ['passive', 'PLAIN', 1, 0.5, 3, 0.75],
    ]);
    expect(rows(r, 'before-tls-text').map((x) => [x.service, x.source, x.servers, x.connections, x.connectionsAnyPlaintext])).toEqual([
      ['smtp', 'active', 1, null, null],
      ['smtp', 'passive', 2, 4, 0.75],
      ['all', 'active', 1, null, null],
      ['all', 'passive', 2, 4, 0.75],
    ]);
    expect(rows(r, 'after-tls-text').map((x) => [x.service, x.servers])).toEqual([['smtp', 1], ['all', 1]]);
    expect(r.totals).toMatchObject({ records: 5, servers: 3, passiveRecords: 4 });
  });

  it('leaves out passive connections an exclusion rule holds for (default the study\'s), and lists the rules with their counts', () => {
    const passive = (ip: string, alpn: string[]) => ({ ...rec(ip, { capabilities: { beforeTls: ['PIPELINING'] }, sasl: { beforeTls: ['PLAIN'] } }, 'smtp', 25), source: 'passive', passive: { clientHello: { alpn } } }) as ProbeRecord;
    const records = [passive('192.0.2.1', []), passive('192.0.2.1', ['h2']), passive('192.0.2.9', ['apns-security-v3'])];
    const study = new SaslAnalyzer({ version: 't' });
    for (const x of records) study.consume(x);
    const r = study.finish();
    expect(rows(r, 'before-tls-text').filter((x) => x.service === 'smtp').map((x) => [x.servers, x.connections])).toEqual([[1, 1]]);
    expect(rows(r, 'passive-exclusions').map((x) => [x.rule, x.excluded])).toEqual([['alpn-http-push', 2], ['tor-link-certificate', 0]]);
    expect(r.notes).toContainEqual(expect.stringMatching(/alpn-http-push left out 2; tor-link-certificate left out 0/));
    expect(r.totals).toMatchObject({ servers: 1, passiveRecords: 3 });
    const keep = new SaslAnalyzer({ version: 't', passiveExclusions: [] });
    for (const x of records) keep.consume(x);
    expect(rows(keep.finish(), 'before-tls-text').filter((x) => x.service === 'smtp').map((x) => [x.servers, x.connections])).toEqual([[2, 3]]);
  });
});

describe('SaslAnalyzer on lists cut at the record cap', () => {
  it('counts the mechanisms kept as offered, and the cut lists in the totals', async () => {
    // A flood: 64 mechanisms kept (PLAIN first, then X-1 ... X-63) of 170,000 listed.
    const kept = ['PLAIN', ...Array.from({ length: 63 }, (_, i) => `X-${i + 1}`)];
    const a = new SaslAnalyzer({ version: 't' });
    a.consume(rec('192.0.2.1', { capabilities: { afterTls: [] }, sasl: { beforeTls: ['LOGIN'], afterTls: kept, truncated: { afterTls: 170_000 } } }, 'smtp', 25));
    a.consume(rec('192.0.2.2', { capabilities: { afterTls: [] }, sasl: { beforeTls: kept, afterTls: ['PLAIN'], truncated: { beforeTls: 70_000 } } }, 'smtp', 25));
    a.consume(rec('192.0.2.3', { capabilities: { afterTls: [] }, sasl: { beforeTls: [], afterTls: ['CRAM-MD5'] } }, 'smtp', 25));
    // Not a count: left alone.
    a.consume(rec('192.0.2.4', { capabilities: { afterTls: [] }, sasl: { afterTls: ['LOGIN'], truncated: { afterTls: '9', beforeTls: -1 } } as never }, 'smtp', 25));
    const r = a.finish();
    expect(r.totals).toMatchObject({ afterTlsServers: 4, withSaslAfterTls: 4, beforeTlsServers: 3, saslTruncatedAfterTls: 1, saslTruncatedBeforeTls: 1 });
    const after = Object.fromEntries(rows(r, 'mechanisms').map((x) => [x.mechanism, x.servers]));
    expect(after).toEqual({ PLAIN: 2, LOGIN: 1, 'CRAM-MD5': 1, ...Object.fromEntries(kept.slice(1).map((m) => [m, 1])) });
    // The cut server's list is judged from what it kept: PLAIN first, not plaintext only.
    expect(rows(r, 'after-tls-text')[0]).toMatchObject({ servers: 4, withSasl: 4, anyPlaintext: 3 / 4, plaintextOnly: 2 / 4, plaintextFirst: 3 / 4 });
    const before = Object.fromEntries(rows(r, 'before-tls-mechanisms').map((x) => [x.mechanism, x.servers]));
    expect(before).toEqual({ LOGIN: 1, ...Object.fromEntries(kept.map((m) => [m, 1])) });
  });
});

describe('SaslAnalyzer and internal errors', () => {
  it('leaves records with status internal-error out of every count, and says how many', async () => {
    const a = new SaslAnalyzer({ version: 't' });
    a.consume(rec('192.0.2.1', { status: 'internal-error', capabilities: { beforeTls: ['IMAP4rev1'] }, sasl: { beforeTls: ['PLAIN'] }, error: { reason: 'internal', message: 'TypeError' } }));
    a.consume(rec('192.0.2.2', { capabilities: { beforeTls: ['IMAP4rev1'], afterTls: ['IMAP4rev1'] }, sasl: { beforeTls: [], afterTls: ['SCRAM-SHA-256'] } }));
    const r = a.finish();
    expect(r.totals).toEqual({ records: 2, servers: 1, afterTlsServers: 1, withSaslAfterTls: 1, beforeTlsServers: 1, withSaslBeforeTls: 0, saslTruncatedAfterTls: 0, saslTruncatedBeforeTls: 0, passiveRecords: 0, internalErrors: 1 });
    expect(rows(r, 'mechanisms').map((x) => [x.mechanism, x.servers])).toEqual([['SCRAM-SHA-256', 1]]);
    expect(rows(r, 'before-tls-text')[0]).toMatchObject({ servers: 1, withSasl: 0 });
  });
});

describe('SaslAnalyzer on malformed records', () => {
  it('keeps the strings of list fields, ignores the rest, never throws', async () => {
    const { HOSTILE_RECORDS } = await import('./hostile-records.js');
    const a = new SaslAnalyzer({ version: 't' });
    for (const x of HOSTILE_RECORDS) a.consume(x);
    const r = a.finish();
    expect(rows(r, 'combinations').map((x) => x.mechanisms)).toEqual([['PLAIN']]);
    expect(r.totals).toMatchObject({ records: 4, servers: 4, afterTlsServers: 1, withSaslAfterTls: 1, beforeTlsServers: 0 });
  });
});

describe('SaslAnalyzer: clients that did not upgrade (passive)', () => {
  const conn = (ip: string, extra: Partial<ProbeRecord>, service = 'imap', port = 143) => ({
    ...rec(ip, extra, service, port), source: 'passive',
  }) as ProbeRecord;
  const p = (mech?: string) => ({ client: { ip: 'x', port: 1 }, captureStart: '2025-01-01T00:00:00Z', captureEnd: '2025-01-01T00:00:00Z', midStream: false, endReason: 'dialog-stopped' as const, starttlsRequested: false, ...(mech ? { clientMechanism: mech } : {}) });

  it('counts, per connection, those that stayed in the clear, authenticated there, and with a plaintext mechanism or login command', () => {
    const a = new SaslAnalyzer({ version: 't' });
    a.consume(conn('192.0.2.1', { status: 'no-starttls', passive: p('PLAIN') }));
    a.consume(conn('192.0.2.1', { status: 'no-starttls', passive: p('LOGIN') })); // IMAP LOGIN command
    a.consume(conn('192.0.2.2', { status: 'no-starttls', passive: p('CRAM-MD5') }));
    a.consume(conn('192.0.2.2', { status: 'no-starttls', passive: p() }));
    a.consume(conn('192.0.2.3', { status: 'success', starttls: { offered: true, upgraded: true }, passive: p() })); // upgraded: not counted
    a.consume(conn('192.0.2.4', { status: 'no-starttls', passive: p('USER') }, 'pop3', 110));
    a.consume(conn('192.0.2.4', { status: 'no-starttls', passive: p('APOP') }, 'pop3', 110));
    const r = a.finish();
    const t = r.tables.find((x) => x.id === 'sasl-client-mechanisms')!;
    expect(t.countingRule).toBe('per-connection');
    expect(t.rows).toEqual([
      { service: 'imap', port: 143, notUpgraded: 4, authenticated: 3, plaintext: 2, plaintextShare: 2 / 3 },
      { service: 'pop3', port: 110, notUpgraded: 2, authenticated: 2, plaintext: 1, plaintextShare: 1 / 2 },
    ]);
  });

  it('scan records alone: no such table', () => {
    const a = new SaslAnalyzer({ version: 't' });
    a.consume(rec('192.0.2.1', { capabilities: { beforeTls: ['IMAP4rev1'] }, sasl: { beforeTls: ['PLAIN'] } }));
    expect(a.finish().tables.some((x) => x.id === 'sasl-client-mechanisms')).toBe(false);
  });
});
