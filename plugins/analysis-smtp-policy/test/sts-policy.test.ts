import { describe, expect, it } from 'vitest';
import { mxMatches, parseStsPolicy } from '../src/parse/sts-policy.js';

describe('MTA-STS policy parser (RFC 8461 3.2)', () => {
  it('reads the RFC example, LF or CRLF, with or without a final line end', () => {
    const lines = ['version: STSv1', 'mode: enforce', 'mx: mail.example.com', 'mx: *.example.net', 'mx: backupmx.example.com', 'max_age: 604800'];
    const want = { ok: true, policy: { mode: 'enforce', maxAge: 604800, mx: ['mail.example.com', '*.example.net', 'backupmx.example.com'] } };
    expect(parseStsPolicy(lines.join('\n') + '\n')).toEqual(want);
    expect(parseStsPolicy(lines.join('\r\n') + '\r\n')).toEqual(want);
    expect(parseStsPolicy(lines.join('\n'))).toEqual(want);
  });

  it('accepts testing and none (none without mx), spaces after the colon, extensions', () => {
    expect(parseStsPolicy('version: STSv1\nmode: testing\nmx: mx.example.org\nmax_age: 86400\n')).toEqual({ ok: true, policy: { mode: 'testing', maxAge: 86400, mx: ['mx.example.org'] } });
    expect(parseStsPolicy('version:STSv1\nmode:   none\nmax_age: 0\nx-ext_1.a: some value\n')).toEqual({ ok: true, policy: { mode: 'none', maxAge: 0, mx: [] } });
  });

  it('keeps the first of a repeated single-valued key, lower-cases mx', () => {
    const r = parseStsPolicy('version: STSv1\nmode: testing\nmode: enforce\nmx: MX.Example.ORG\nmax_age: 1\n');
    expect(r).toEqual({ ok: true, policy: { mode: 'testing', maxAge: 1, mx: ['mx.example.org'] } });
  });

  it.each([
    ['', 'no version'],
    ['mode: enforce\nmx: a.example\nmax_age: 1\n', 'no version'],
    ['version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 1\n', 'version is not STSv1'],
    ['version: STSv1\nmx: a.example\nmax_age: 1\n', 'no mode'],
    ['version: STSv1\nmode: Enforce\nmx: a.example\nmax_age: 1\n', 'mode is not enforce, testing or none'],
    ['version: STSv1\nmode: enforce\nmx: a.example\n', 'no max_age'],
    ['version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1\n', 'max_age is not 1 to 10 digits'],
    ['version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 12345678901\n', 'max_age is not 1 to 10 digits'],
    ['version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601\n', 'max_age above 31557600'],
    ['version: STSv1\nmode: enforce\nmax_age: 1\n', 'no mx'],
    ['version: STSv1\nmode: enforce\nmx: *.*.example.com\nmax_age: 1\n', 'line 3: mx is not a host name or *.<host name>'],
    ['version: STSv1\nmode: enforce\nmx: mail\nmax_age: 1\n', 'line 3: mx is not a host name or *.<host name>'],
    ['version: STSv1\nmode: enforce\nmx: -bad.example.com\nmax_age: 1\n', 'line 3: mx is not a host name or *.<host name>'],
    ['version: STSv1\nmode enforce\n', 'line 2: no "key: value"'],
    ['version: STSv1\n\nmode: enforce\n', 'line 2: no "key: value"'],
    ['version: STSv1\n_bad: x\n', 'line 2: bad key'],
    ['version: STSv1\nmode: \n', 'line 2: bad value for mode'],
    ['version: STSv1\nmode: enf\u00f6rce\n', 'line 2: bad value for mode'],
    ['<html><body>not found</body></html>', 'line 1: no "key: value"'],
  ])('rejects %j: %s', (text, why) => {
    expect(parseStsPolicy(text)).toEqual({ ok: false, why });
  });

  it('costs one pass over a capped hostile policy (64 KiB of one line, of many lines)', () => {
    expect(parseStsPolicy('version: STSv1\nmode: enforce\nmax_age: 1\nmx: ' + 'a'.repeat(65536)).ok).toBe(false);
    const many = 'version: STSv1\nmode: enforce\nmax_age: 1\n' + 'mx: a.example.com\n'.repeat(3600);
    const r = parseStsPolicy(many);
    expect(r.ok && r.policy.mx.length).toBe(3600);
  });
});

describe('mx patterns (RFC 8461 4.1)', () => {
  const p = ['mail.example.com', '*.example.net'];
  it.each([
    ['mail.example.com', true],
    ['MAIL.example.com.', true],
    ['mx1.example.net', true],
    ['example.net', false],
    ['a.b.example.net', false],
    ['mail.example.com.evil', false],
    ['other.example.com', false],
    ['xexample.net', false],
  ])('%s -> %s', (host, want) => {
    expect(mxMatches(p, host)).toBe(want);
  });
});
