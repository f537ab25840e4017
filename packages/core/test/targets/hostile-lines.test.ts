import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { Readable } from 'node:stream';
import { Exclusions, ZmapTargetSource, parseCidr, parseDomainLine, type TargetInput } from '@wildtls/core';

/*
 * Input lines (user input, still checked) shaped to cost a careless parser
 * super-linear time: long runs that look like IPv6, CIDR, host names or CSV.
 * Each is refused or read as it should be.
 */

const logger = pino({ level: 'silent' });

describe('target lines of hostile text', () => {
  it('8 KiB lines that look like IPv6 or CIDR are no addresses', () => {
    expect(parseCidr(`${'1:'.repeat(4095)}!`)).toBeUndefined();
    expect(parseCidr(`${'1:'.repeat(4095)}1`)).toBeUndefined();
    expect(parseCidr(`::${'1:'.repeat(4000)}1.2.3.4`)).toBeUndefined();
    expect(parseCidr(`${'1/'.repeat(4000)}24`)).toBeUndefined();
    expect(parseCidr(`::1%${'a'.repeat(8000)}`)?.[0].toString()).toBe(`::1%${'a'.repeat(8000)}`);
    expect(parseCidr('2001:db8::/32')?.[1]).toBe(32);
  });

  it('domain-list lines: long labels, many commas, 8 KiB names are refused; a rank,domain line is read', () => {
    expect(parseDomainLine(`1,${'a-'.repeat(2000)},${'b.'.repeat(2000)}`)).toBe('');
    expect(parseDomainLine(`${'a'.repeat(63)}.${'b'.repeat(63)}.org`)).toBe(`${'a'.repeat(63)}.${'b'.repeat(63)}.org`);
    expect(parseDomainLine(`${'a'.repeat(64)}.org`)).toBe('');
    expect(parseDomainLine(`${'a.'.repeat(127)}org`)).toBe('');
    expect(parseDomainLine(`${','.repeat(8000)}`)).toBe('');
    expect(parseDomainLine('7,Mail.Example.ORG,extra')).toBe('mail.example.org');
  });

  it('a zmap stream of 1,000 hostile 8 KiB lines and 3 addresses: the 3 addresses, 1,000 invalid', async () => {
    const junk = Array.from({ length: 1000 }, (_, i) => (i % 2 ? `${'1:'.repeat(4000)}x` : `${'9'.repeat(8000)}.1.1.1`));
    const stdin = Readable.from([['20.1.2.3', ...junk.slice(0, 500), '2001:db8::1', ...junk.slice(500), '20.1.2.4'].join('\n') + '\n']);
    const source = new ZmapTargetSource({ stdin, shards: 1, shard: 0, exclusions: new Exclusions({ allow: ['2001:db8::/32'], blocklistFiles: [] }), logger });
    const got: TargetInput[] = [];
    for await (const t of source.targets()) got.push(t);
    expect(got.map((t) => t.ip)).toEqual(['20.1.2.3', '2001:db8::1', '20.1.2.4']);
    expect(source.stats()).toEqual({ excluded: 0, invalid: 1000 });
  });
});
