import { describe, expect, it } from 'vitest';
import type { ProbeRecord } from '@wildtls/core';
import { selfSignedCertificate } from '@wildtls/core/testing';
import { ReuseAnalyzer } from '../src/reuse-analyzer.js';

function rec(ip: string, port: number, service: string, chain: string[]): ProbeRecord {
  return { ip, port, service, protocol: service, mode: 'implicit', status: 'success', startedAt: new Date().toISOString(), durationMs: 1, tls: { chain, ocspStapled: false, completed: true } };
}

describe('ReuseAnalyzer', () => {
  it('counts distinct IPs per service and across services, IPv6 included', async () => {
    const a = await selfSignedCertificate({ keyType: 'ec', commonName: 'shared' });
    const b64 = a.der.toString('base64');
    const r = new ReuseAnalyzer({ version: 't', classifier: { classify: () => 'self-signed' }, classifierName: 't', topInvalid: 5 });
    for (const x of [
      rec('192.0.2.1', 993, 'imaps', [b64]),
      rec('192.0.2.1', 995, 'pop3s', [b64]), // same IP, other service
      rec('192.0.2.1', 993, 'imaps', [b64]), // duplicate server
      rec('192.0.2.2', 993, 'imaps', [b64]),
      rec('2001:db8::1', 993, 'imaps', [b64]),
      rec('2001:db8::1', 8993, 'imaps', [b64]), // same IP, other port: still one IP
    ]) await r.consume(x);
    const rep = await r.finish();
    const dist = rep.tables.find((t) => t.id === 'certificates-all')!.rows;
    expect(dist.map((x) => [x.service, x.ips, x.count])).toEqual([['imaps', 3, 1], ['pop3s', 1, 1], ['all', 3, 1]]);
    expect(rep.tables.find((t) => t.id === 'top-invalid')!.rows[0]).toMatchObject({ ips: 3, cn: 'shared', class: 'self-signed', services: ['imaps', 'pop3s'] });
    expect(rep.totals).toMatchObject({ records: 6, servers: 5, certificates: 1, keys: 1 });
  });

  it('leaves passive records (one per captured connection) out of every table, and says how many', async () => {
    const a = await selfSignedCertificate({ keyType: 'ec', commonName: 'shared' });
    const b64 = a.der.toString('base64');
    const scan = [rec('192.0.2.1', 993, 'imaps', [b64]), rec('192.0.2.2', 993, 'imaps', [b64])];
    const analyze = async (records: ProbeRecord[]) => {
      const r = new ReuseAnalyzer({ version: 't', classifier: { classify: () => 'self-signed' }, classifierName: 't', topInvalid: 5 });
      for (const x of records) await r.consume(x);
      return r.finish();
    };
    const alone = await analyze(scan);
    // The same certificate on a third IP, seen only in a capture: not a third IP of the scan's tables.
    const passive = { ...rec('192.0.2.3', 993, 'imaps', [b64]), source: 'passive' } as ProbeRecord;
    const mixed = await analyze([...scan, passive, passive]);
    expect(mixed.tables.filter((t) => !t.id.startsWith('passive-'))).toEqual(alone.tables);
    expect(alone.tables.filter((t) => t.id.startsWith('passive-'))).toEqual([]);
    expect(mixed.tables.find((t) => t.id === 'certificates-all')!.rows.map((x) => [x.service, x.ips])).toEqual([['imaps', 2], ['all', 2]]);
    expect(mixed.totals).toMatchObject({ records: 3 + 1, passive: 2, servers: 2 });
    expect(alone.totals).not.toHaveProperty('passive');
    expect(mixed.notes!.filter((n) => !alone.notes!.includes(n))).toEqual([
      expect.stringMatching(/^2 passive records .* left out of the scan tables and totals/),
      expect.stringMatching(/counted only in passive-reuse/),
      expect.stringMatching(/^Passive exclusions .*alpn-http-push left out 0; tor-link-certificate left out 0/),
    ]);
  });

  it('survives garbage certificates and a failing validator', async () => {
    const r = new ReuseAnalyzer({ version: 't', classifier: { classify: () => { throw new Error('boom'); } }, classifierName: 't', topInvalid: 5 });
    await r.consume(rec('192.0.2.1', 25, 'smtp', ['%%% not base64 %%%']));
    await r.consume(rec('192.0.2.2', 25, 'smtp', ['']));
    const rep = await r.finish();
    expect(rep.totals.certificates).toBe(2);
    expect(rep.notes!.join(' ')).toMatch(/could not be parsed/);
    expect(rep.notes!.join(' ')).toMatch(/could not be classified/);
  });
});

describe('ReuseAnalyzer: session-ticket keys', () => {
  const K1 = '0e29365a44cf54677845db91688ab5b1';
  const K2 = 'dc86d6a55fc00b7591358d3c3ba71bc3';
  const withTickets = (ip: string, service: string, tickets: unknown) => {
    const r = rec(ip, 443, service, []);
    (r.tls as Record<string, unknown>).sessionTickets = tickets;
    return r;
  };

  it('counts each key name on the distinct IPs it was seen on, once per record, per service and overall', async () => {
    const r = new ReuseAnalyzer({ version: 't', classifier: { classify: () => 'valid' }, classifierName: 't', topInvalid: 5 });
    for (const x of [
      withTickets('192.0.2.1', 'https', [{ lifetime: 7200, length: 192, keyName: K1 }, { lifetime: 7200, length: 192, keyName: K1 }]),
      withTickets('192.0.2.2', 'https', [{ lifetime: 7200, length: 192, keyName: K1 }]),
      withTickets('192.0.2.3', 'smtp', [{ lifetime: 300, length: 160, keyName: K1 }]),
      withTickets('192.0.2.4', 'smtp', [{ lifetime: 300, length: 160, keyName: K2 }]),
      withTickets('192.0.2.5', 'smtp', [{ lifetime: 0, length: 0 }]), // an empty ticket has no key name
    ]) await r.consume(x);
    const rep = await r.finish();
    const rows = rep.tables.find((t) => t.id === 'ticket-keys')!.rows.map((x) => [x.service, x.ips, x.count]);
    expect(rows).toEqual([['https', 2, 1], ['smtp', 1, 2], ['all', 1, 1], ['all', 3, 1]]);
    expect(rep.totals).toMatchObject({ ticketKeys: 2, withCertificate: 0, certificates: 0 });
    expect(rep.notes!.join(' ')).toMatch(/ticket-encryption key/);
  });

  it('leaves out malformed ticket entries and never throws', async () => {
    const r = new ReuseAnalyzer({ version: 't', classifier: { classify: () => 'valid' }, classifierName: 't', topInvalid: 5 });
    for (const t of ['nope', 42, null, [null, 5, 'x', { keyName: 7 }, { keyName: 'ZZ' }, { keyName: K1.toUpperCase() }, { keyName: `${K1}00` }], { keyName: K1 }]) {
      await r.consume(withTickets('192.0.2.9', 'https', t));
    }
    const rep = await r.finish();
    expect(rep.totals).toMatchObject({ records: 5, ticketKeys: 0 });
  });
});

describe('ReuseAnalyzer on malformed records', () => {
  it('skips what is not a certificate and never throws', async () => {
    const { HOSTILE_RECORDS } = await import('./hostile-records.js');
    const r = new ReuseAnalyzer({ version: 't', classifier: { classify: () => 'invalid' }, classifierName: 't', topInvalid: 5 });
    for (const x of HOSTILE_RECORDS) await r.consume(x);
    const rep = await r.finish();
    expect(rep.totals).toMatchObject({ records: 4, servers: 4, withCertificate: 1, certificates: 1 });
  });
});

describe('ReuseAnalyzer: which records count', () => {
  it('counts a chain whether or not the handshake completed, and leaves internal-error records out', async () => {
    const a = (await selfSignedCertificate({ keyType: 'ec', commonName: 'a' })).der.toString('base64');
    const b = (await selfSignedCertificate({ keyType: 'ec', commonName: 'b' })).der.toString('base64');
    const classified: number[] = [];
    const r = new ReuseAnalyzer({ version: 't', classifier: { classify: (chain) => (classified.push(chain.length), 'self-signed') }, classifierName: 't', topInvalid: 5 });
    const completed = rec('192.0.2.1', 993, 'imaps', [a]);
    // The server chose a suite the engine does not complete: the chain is still what it sent.
    const unsupported = { ...rec('192.0.2.2', 993, 'imaps', [a]), status: 'tls-failed', error: { reason: 'tls-unsupported', message: 'export suite' } } as ProbeRecord;
    unsupported.tls = { chain: [a], ocspStapled: false, completed: false };
    // Our own bug: not a measurement, whatever it carries.
    const bug = { ...rec('192.0.2.3', 993, 'imaps', [b]), status: 'internal-error', error: { reason: 'internal', message: 'TypeError' } } as ProbeRecord;
    for (const x of [completed, unsupported, bug]) await r.consume(x);
    const rep = await r.finish();
    expect(rep.totals).toMatchObject({ records: 3, internalErrors: 1, servers: 2, withCertificate: 2, certificates: 1, keys: 1 });
    expect(rep.tables.find((t) => t.id === 'top-invalid')!.rows).toEqual([expect.objectContaining({ ips: 2, cn: 'a' })]);
    expect(classified).toEqual([1]);
    expect(rep.notes!.join(' ')).toMatch(/1 records with status internal-error/);
  });
});

describe('ReuseAnalyzer: the study\'s tables', () => {
  it('per port: Fig. 6 as "on X or more IPs", reused-and-valid shares, Table VI per protocol and overall', async () => {
    const cert = async (cn: string) => (await selfSignedCertificate({ keyType: 'ec', commonName: cn })).der.toString('base64');
    const [a, b, c] = await Promise.all([cert('a'), cert('b'), cert('c')]);
    // a: valid, smtp 25 on .1 .2 .3 and smtp 587 on .1; b: self-signed, smtp 25 on .4 .5; c: self-signed, imap 143 on .1.
    const valid = new Set([a]);
    const r = new ReuseAnalyzer({ version: 't', classifier: { classify: (chain) => (valid.has(Buffer.from(chain[0]!).toString('base64')) ? 'valid' : 'self-signed') }, classifierName: 't', topInvalid: 5, topReused: 1 });
    for (const x of [
      rec('192.0.2.1', 25, 'smtp', [a]), rec('192.0.2.2', 25, 'smtp', [a]), rec('192.0.2.3', 25, 'smtp', [a]), rec('192.0.2.1', 587, 'smtp', [a]),
      rec('192.0.2.4', 25, 'smtp', [b]), rec('192.0.2.5', 25, 'smtp', [b]),
      rec('192.0.2.1', 143, 'imap', [c]),
    ]) await r.consume(x);
    const rep = await r.finish();
    const t = (id: string) => rep.tables.find((x) => x.id === id)!;
    expect(t('ccdf-certificates-all').rows.map((x) => [x.service, x.port, x.ips, x.items, x.share])).toEqual([
      ['imap', 143, 1, 1, 1],
      ['smtp', 25, 2, 2, 1], ['smtp', 25, 3, 1, 0.5],
      ['smtp', 587, 1, 1, 1],
      ['all', null, 1, 3, 1], ['all', null, 2, 2, 2 / 3], ['all', null, 3, 1, 1 / 3],
    ]);
    expect(t('ccdf-certificates-valid').rows.map((x) => [x.service, x.port, x.ips, x.items])).toEqual([['smtp', 25, 3, 1], ['smtp', 587, 1, 1], ['all', null, 3, 1]]);
    expect(t('reused-valid').rows.map((x) => [x.service, x.port, x.certificates, x.reused, x.reusedValid, x.share])).toEqual([
      ['imap', 143, 1, 0, 0, null], ['smtp', 25, 2, 2, 1, 0.5], ['smtp', 587, 1, 0, 0, null], ['all', null, 3, 2, 1, 0.5],
    ]);
    expect(t('most-reused').rows.map((x) => [x.service, x.rank, x.ips, x.subject, x.class])).toEqual([['imap', 1, 1, 'CN=c', 'self-signed'], ['smtp', 1, 3, 'CN=a', 'valid']]);
    expect(t('most-reused-all').rows.map((x) => [x.rank, x.ips, x.subject, x.services])).toEqual([[1, 3, 'CN=a', ['smtp']]]);
    expect(rep.tables.filter((x) => x.paper).map((x) => [x.id, x.paper!.ref, x.paper!.order ?? null])).toEqual([
      ['most-reused', 'Table VI', 1], ['most-reused-all', 'Table VI', 2],
      ['ccdf-certificates-all', 'Fig. 6', 1], ['ccdf-certificates-valid', 'Fig. 6', 2], ['ccdf-certificates-self-signed', 'Fig. 6', 3], ['reused-valid', 'Fig. 6', 4],
      ['ccdf-keys', 'Fig. 7', null],
    ]);
    expect(rep.tables.filter((x) => !x.paper).every((x) => x.title.includes('beyond the study'))).toBe(true);
  });
});
