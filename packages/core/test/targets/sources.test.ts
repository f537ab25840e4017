import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { Readable } from 'node:stream';
import { DnsClient, DEFAULT_DNS, DomainTargetSource, Exclusions, RangeTargetSource, ZmapTargetSource, parseDomainLine, type TargetInput, type TargetSource } from '@wildtls/core';
import { startDnsResponder, type DnsResponder } from './dns-responder.js';

const logger = pino({ level: 'silent' });
const open = () => new Exclusions({ allow: ['127.0.0.0/8', '::1/128'], blocklistFiles: [] });

async function collect(source: TargetSource): Promise<TargetInput[]> {
  const out: TargetInput[] = [];
  for await (const t of source.targets()) out.push(t);
  return out;
}

describe('zmap source', () => {
  it('reads plain lines, counting excluded and invalid ones', async () => {
    const stdin = Readable.from(['20.1.2.3\n', '10.0.0.1\n', 'junk\n', '20.1.2.4\n', '# comment\n']);
    const source = new ZmapTargetSource({ stdin, shards: 1, shard: 0, exclusions: new Exclusions({ allow: [], blocklistFiles: [] }), logger });
    expect(await collect(source)).toEqual([{ ip: '20.1.2.3', position: 0 }, { ip: '20.1.2.4', position: 3 }]);
    expect(source.stats()).toEqual({ excluded: 1, invalid: 1 });
  });

  it('reads CSV with a header, takes the port from sport and drops unsuccessful rows', async () => {
    const stdin = Readable.from(['saddr,sport,success\n20.1.2.3,25,1\n20.1.2.4,587,0\n20.1.2.5,2525,1\n']);
    const source = new ZmapTargetSource({ stdin, shards: 1, shard: 0, exclusions: open(), logger });
    expect(await collect(source)).toEqual([{ ip: '20.1.2.3', port: 25, position: 0 }, { ip: '20.1.2.5', port: 2525, position: 2 }]);
  });

  it('splits lines between shards', async () => {
    const lines = Array.from({ length: 20 }, (_, i) => `20.1.2.${i}\n`).join('');
    const got: string[] = [];
    for (let shard = 0; shard < 3; shard++) {
      const source = new ZmapTargetSource({ stdin: Readable.from([lines]), shards: 3, shard, exclusions: open(), logger });
      got.push(...(await collect(source)).map((t) => t.ip));
    }
    expect(got.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `20.1.2.${i}`).sort());
  });
});

describe('domain source and DNS (loopback responder)', () => {
  let dns: DnsResponder;
  beforeAll(async () => {
    dns = await startDnsResponder({
      'example.test': { A: ['127.0.30.10'], AAAA: ['::1'], MX: [[20, 'mx2.example.test'], [10, 'mx1.example.test']] },
      'mx1.example.test': { A: ['127.0.30.11'] },
      'mx2.example.test': { A: ['127.0.30.12', '127.0.30.11'] },
      'nomx.test': { A: ['127.0.30.20'] },
      'blocked.test': { A: ['10.1.2.3'] },
    });
  });
  afterAll(() => dns.close());

  const client = () => new DnsClient({ ...DEFAULT_DNS, servers: [dns.server], timeoutMs: 500, tries: 1 }, logger);

  it('resolves MX first for smtp (preference order), A/AAAA for the other services', async () => {
    const source = new DomainTargetSource({
      targets: [],
      stdin: Readable.from(['rank,domain\n1,example.test\n2,nomx.test\n3,missing.test\n4,blocked.test\n5,not a domain\n']),
      input: '-',
      shards: 1,
      shard: 0,
      services: ['smtp', 'imaps'],
      mxServices: ['smtp'],
      lookahead: 4,
      exclusions: open(),
      dns: client(),
      logger,
    });
    const got = await collect(source);
    expect(got).toEqual([
      { ip: '127.0.30.11', domain: 'mx1.example.test', service: 'smtp', position: 0, mailDomain: 'example.test' },
      { ip: '127.0.30.12', domain: 'mx2.example.test', service: 'smtp', position: 0, mailDomain: 'example.test' },
      { ip: '127.0.30.11', domain: 'mx2.example.test', service: 'smtp', position: 0, mailDomain: 'example.test' },
      { ip: '127.0.30.10', domain: 'example.test', service: 'imaps', position: 0 },
      { ip: '::1', domain: 'example.test', service: 'imaps', position: 0 },
      // No MX: the domain itself (RFC 5321 implicit MX).
      { ip: '127.0.30.20', domain: 'nomx.test', service: 'smtp', position: 1, mailDomain: 'nomx.test' },
      { ip: '127.0.30.20', domain: 'nomx.test', service: 'imaps', position: 1 },
    ]);
    // missing.test (NXDOMAIN) and "not a domain" are invalid; blocked.test's 10.1.2.3 (twice: smtp, imaps) excluded.
    expect(source.stats()).toEqual({ excluded: 2, invalid: 2 });
  });

  it('caches answers: a name is asked once', async () => {
    const c = client();
    const before = dns.queries.length;
    await c.addresses('nomx.test');
    await c.addresses('nomx.test');
    await Promise.all([c.mx('example.test'), c.mx('example.test')]);
    const asked = dns.queries.slice(before);
    expect(asked.filter((q) => q === 'A nomx.test')).toHaveLength(1);
    expect(asked.filter((q) => q === 'MX example.test')).toHaveLength(1);
    expect(c.cacheHits).toBeGreaterThanOrEqual(1);
  });

  it('rate-limits queries', async () => {
    const c = new DnsClient({ ...DEFAULT_DNS, servers: [dns.server], rate: 20, ipv6: false }, logger);
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 10 }, (_, i) => c.addresses(`n${i}.missing.test`)));
    // 10 queries at 20/s with a burst of 1: at least ~450 ms.
    expect(performance.now() - t0).toBeGreaterThan(400);
  });

  it('host names in the cidr source resolve through the configured resolver', async () => {
    const source = new RangeTargetSource({ targets: ['127.0.30.1', 'nomx.test'], seed: 1, shards: 1, shard: 0, order: 'permuted', exclusions: open(), dns: client(), logger });
    expect(await collect(source)).toEqual([{ ip: '127.0.30.1', position: 0 }, { ip: '127.0.30.20', domain: 'nomx.test', position: 1 }]);
  });

  it('knows its size once prepared, before the stream starts (the scan sizes its worker pool from it); exact once it has run', async () => {
    const opts = { seed: 1, shards: 2, shard: 0, order: 'sequential' as const, exclusions: open(), logger };
    const named = new RangeTargetSource({ ...opts, targets: ['127.0.30.0/30', '127.0.32.1:25'], input: '-', stdin: Readable.from(['127.0.31.7\n']) });
    expect(named.total()).toBeUndefined(); // the input is not read yet
    await named.prepare();
    expect(named.total()).toBe(6); // 4 + 1 addresses + 1 pinned: a bound, as if one shard
    expect(await collect(named)).toEqual([{ ip: '127.0.30.0', position: 0 }, { ip: '127.0.30.2', position: 1 }, { ip: '127.0.31.7', position: 2 }, { ip: '127.0.32.1', port: 25, position: 3 }]);
    expect(named.total()).toBe(4); // this shard's positions
  });

  it('ports and SNI names travel with their target; pinned addresses and host names are dealt to shards after the walk', async () => {
    const targets = ['127.0.30.1', '127.0.30.2:2525', '[::1]:993', '127.0.30.3,mail.example.test', 'nomx.test:587'];
    const one = new RangeTargetSource({ targets, seed: 1, shards: 1, shard: 0, order: 'sequential', exclusions: open(), dns: client(), logger });
    expect(await collect(one)).toEqual([
      { ip: '127.0.30.1', position: 0 },
      { ip: '127.0.30.2', port: 2525, position: 1 },
      { ip: '::1', port: 993, position: 2 },
      { ip: '127.0.30.3', domain: 'mail.example.test', position: 3 },
      { ip: '127.0.30.20', domain: 'nomx.test', port: 587, position: 4 },
    ]);
    const second = new RangeTargetSource({ targets, seed: 1, shards: 2, shard: 1, order: 'sequential', exclusions: open(), dns: client(), logger });
    // The walk has one step (none for shard 1); pinned 1 of [0..2]; host 1 of [0] (none).
    expect(await collect(second)).toEqual([{ ip: '::1', port: 993, position: 0 }]);
  });

  it('an invalid target stops the source before it yields anything, naming the first three and where they are', async () => {
    const source = new RangeTargetSource({ targets: ['127.0.30.1', '10.0.0.0/33', '300.1.2.3'], input: '-', stdin: Readable.from(['# comment\n127.0.30.2\n127.0.0.1:0\nx y\n']), seed: 1, shards: 1, shard: 0, order: 'permuted', exclusions: open(), logger });
    await expect(source.prepare()).rejects.toThrow('invalid targets: target 2 "10.0.0.0/33" (not an IPv4 range (prefix length 0-32)); target 3 "300.1.2.3" (not an IPv4 address (four decimal numbers 0-255)); stdin:3 "127.0.0.1:0" (bad port "0" (1-65535)) and 1 more.');
    const none = new RangeTargetSource({ targets: [], seed: 1, shards: 1, shard: 0, order: 'permuted', exclusions: open(), logger });
    await expect(none.prepare()).rejects.toThrow(/^no targets: give addresses, ranges or host names as arguments/);
    const missing = new RangeTargetSource({ targets: [], input: '/nonexistent/targets.txt', seed: 1, shards: 1, shard: 0, order: 'permuted', exclusions: open(), logger });
    await expect(missing.prepare()).rejects.toThrow('cannot read the target input /nonexistent/targets.txt (--input / scan.input): no such file');
  });

  it('parses top-list lines', () => {
    expect(parseDomainLine('1,Example.ORG.')).toBe('example.org');
    expect(parseDomainLine('example.org')).toBe('example.org');
    expect(parseDomainLine('rank,domain')).toBeNull();
    expect(parseDomainLine('1,<script>')).toBe('');
  });
});
