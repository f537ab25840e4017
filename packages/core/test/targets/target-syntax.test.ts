import { describe, expect, it } from 'vitest';
import { MAX_TARGET_CHARS, parseDomainEntry, parseTarget, type TargetSpec } from '@wildtls/core';

const ok = (text: string): TargetSpec => {
  const r = parseTarget(text);
  if (!r.ok) throw new Error(`${text}: ${r.reason}`);
  return r.spec;
};
const reason = (text: string): string => {
  const r = parseTarget(text);
  if (r.ok) throw new Error(`${text} parsed as ${JSON.stringify(r.spec)}`);
  return r.reason;
};

describe('target syntax', () => {
  it('addresses and ranges without a port are walked', () => {
    expect(ok('192.0.2.1')).toEqual({ kind: 'range', cidr: '192.0.2.1' });
    expect(ok(' 192.0.2.0/24 ')).toEqual({ kind: 'range', cidr: '192.0.2.0/24' });
    expect(ok('2001:db8::1')).toEqual({ kind: 'range', cidr: '2001:db8::1' });
    expect(ok('2001:DB8:0::1')).toEqual({ kind: 'range', cidr: '2001:db8::1' });
    expect(ok('[2001:db8::1]')).toEqual({ kind: 'range', cidr: '2001:db8::1' });
    expect(ok('2001:db8::/120')).toEqual({ kind: 'range', cidr: '2001:db8::/120' });
    // Unbracketed IPv6 is always an address: the last group is not a port.
    expect(ok('::1:443')).toEqual({ kind: 'range', cidr: '::1:443' });
  });

  it('IPv4:PORT and [IPv6]:PORT probe that port', () => {
    expect(ok('127.0.0.1:2525')).toEqual({ kind: 'address', ip: '127.0.0.1', port: 2525 });
    expect(ok('[::1]:993')).toEqual({ kind: 'address', ip: '::1', port: 993 });
    expect(ok('[2001:db8:0:0::5]:65535')).toEqual({ kind: 'address', ip: '2001:db8::5', port: 65535 });
  });

  it('host names, with and without a port', () => {
    expect(ok('Mail.Example.ORG.')).toEqual({ kind: 'host', host: 'mail.example.org' });
    expect(ok('mail.example.org:587')).toEqual({ kind: 'host', host: 'mail.example.org', port: 587 });
    expect(ok('localhost:25')).toEqual({ kind: 'host', host: 'localhost', port: 25 });
  });

  it("zgrab2's IP,DOMAIN[,TAG[,PORT]]: the name is the SNI name, no DNS", () => {
    expect(ok('192.0.2.7,mail.example.org')).toEqual({ kind: 'address', ip: '192.0.2.7', domain: 'mail.example.org' });
    expect(ok('192.0.2.7, Mail.Example.org ,tag,465')).toEqual({ kind: 'address', ip: '192.0.2.7', domain: 'mail.example.org', port: 465 });
    expect(ok('2001:db8::7,example.org')).toEqual({ kind: 'address', ip: '2001:db8::7', domain: 'example.org' });
    expect(ok('[2001:db8::7],example.org')).toEqual({ kind: 'address', ip: '2001:db8::7', domain: 'example.org' });
    expect(ok('192.0.2.7,,,8443')).toEqual({ kind: 'address', ip: '192.0.2.7', port: 8443 });
    expect(ok('192.0.2.7,')).toEqual({ kind: 'range', cidr: '192.0.2.7' });
  });

  it('invalid addresses and ranges say why', () => {
    expect(reason('10.0.0.0/33')).toMatch(/prefix length 0-32/);
    expect(reason('300.1.2.3')).toMatch(/not an IPv4 address/);
    expect(reason('1.2.3')).toMatch(/not an IPv4 address/);
    expect(reason('010.1.2.3')).toMatch(/not an IPv4 address/); // leading zero: octal to some parsers
    expect(reason('2001:db8::1::2')).toMatch(/not an IPv6 address/);
    expect(reason('fe80::1%eth0')).toMatch(/not an IPv6 address/);
    expect(reason('[::1')).toMatch(/without a matching/);
    expect(reason('[example.org]:25')).toMatch(/not an IPv6 address/);
    expect(reason('10.0.0.0/24:25')).toMatch(/not a range/);
    expect(reason('<script>')).toMatch(/not an address, range or host name/);
    expect(reason('')).toBe('empty');
  });

  it('bad ports are refused', () => {
    for (const p of ['0', '65536', '99999', '-1', '+25', '025', '2x', '', '1e3', ' 25']) {
      expect(reason(`127.0.0.1:${p}`), p).toMatch(/bad port/);
      expect(reason(`[::1]:${p}`), p).toMatch(/bad port/);
    }
    expect(reason('example.org:0')).toMatch(/bad port/);
    expect(reason('192.0.2.7,example.org,,70000')).toMatch(/bad port/);
  });

  it('zgrab2 lines: one address in the first field, a host name in the second, at most four fields', () => {
    expect(reason('192.0.2.0/24,example.org')).toMatch(/one IP address/);
    expect(reason('example.org,example.org')).toMatch(/one IP address/);
    expect(reason('192.0.2.7,not a name')).toMatch(/not a host name/);
    expect(reason('192.0.2.7,a,b,25,e')).toMatch(/more than four fields/);
  });

  it('hostile input: long and repetitive texts are refused quickly, without throwing', () => {
    expect(reason('a'.repeat(MAX_TARGET_CHARS + 1))).toMatch(/longer than/);
    expect(reason(`${'1'.repeat(100)}:${'2'.repeat(100)}`)).toMatch(/bad port/);
    expect(reason(':'.repeat(400))).toMatch(/not an IPv6/);
    expect(reason(','.repeat(400))).toMatch(/more than four fields/);
    expect(reason('['.repeat(400))).toMatch(/without a matching/);
    expect(reason(`${'a-'.repeat(200)}:25`)).toMatch(/not an address/);
    expect(reason('\u0000\u001b[2J')).toMatch(/not an address/);
    const t0 = performance.now();
    for (let i = 0; i < 2000; i++) parseTarget(`${'a.'.repeat(250)}:${i}`);
    // Not a timing assertion on the parser's speed: a guard that it does not backtrack for seconds.
    expect(performance.now() - t0).toBeLessThan(20_000);
  });

  it('domain list lines may carry a port', () => {
    expect(parseDomainEntry('example.org:8443')).toEqual(['example.org', 8443]);
    expect(parseDomainEntry('1,Example.org:465')).toEqual(['example.org', 465]);
    expect(parseDomainEntry('example.org')).toEqual(['example.org', undefined]);
    expect(parseDomainEntry('example.org:0')).toEqual(['', undefined]);
    expect(parseDomainEntry('rank,domain')).toBeNull();
  });
});
