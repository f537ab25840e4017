import { describe, expect, it } from 'vitest';
import { parseStsTxt, parseTlsRptTxt } from '../src/parse/txt-records.js';

describe('_mta-sts TXT (RFC 8461 3.1)', () => {
  it('reads v=STSv1 and id, whitespace, a trailing delimiter, extensions, split strings', () => {
    expect(parseStsTxt([['v=STSv1; id=20160831085700Z;']])).toEqual({ kind: 'valid', record: { id: '20160831085700Z' } });
    expect(parseStsTxt([['v = STSv1 ;id = abc ; ext-1=v']])).toEqual({ kind: 'valid', record: { id: 'abc' } });
    expect(parseStsTxt([['v=STSv1; ', 'id=abc']])).toEqual({ kind: 'valid', record: { id: 'abc' } });
  });

  it('ignores other TXT records; none with the version is absent', () => {
    expect(parseStsTxt([])).toEqual({ kind: 'absent' });
    expect(parseStsTxt([['google-site-verification=x'], ['v=spf1 -all']])).toEqual({ kind: 'absent' });
    expect(parseStsTxt([['v=spf1 -all'], ['v=STSv1; id=1']])).toEqual({ kind: 'valid', record: { id: '1' } });
    expect(parseStsTxt([['v=STSv10; id=1']])).toEqual({ kind: 'absent' });
  });

  it.each([
    [[['v=STSv1; id=1'], ['v=STSv1; id=2']], 'several records with the version'],
    [[['v=STSv1;']], 'no id field'],
    [[['v=STSv1; id=1; id=2']], 'several id fields'],
    [[['v=STSv1; id=' + 'a'.repeat(33)]], 'id is not 1 to 32 letters or digits'],
    [[['v=STSv1; id=a-b']], 'id is not 1 to 32 letters or digits'],
    [[['v=STSv1; id=1;; x=y']], 'empty field'],
    [[['v=STSv1; id']], 'field without "=": id'],
    [[['v=STSv1; id=1; b@d=1']], 'bad field name: b@d'],
    [[['v=STSv1; id=1; x=a=b']], 'bad value for x'],
  ] as Array<[string[][], string]>)('rejects %j: %s', (records, why) => {
    expect(parseStsTxt(records)).toEqual({ kind: 'invalid', why });
  });

  it('does not look at a record longer than 4096 bytes', () => {
    expect(parseStsTxt([['v=STSv1; id=1; x=' + 'y'.repeat(5000)]])).toEqual({ kind: 'absent' });
  });
});

describe('_smtp._tls TXT (RFC 8460 3)', () => {
  it('reads rua as mailto: and https: URIs, with size limits stripped', () => {
    expect(parseTlsRptTxt([['v=TLSRPTv1; rua=mailto:tlsrpt@example.com']])).toEqual({ kind: 'valid', record: { rua: ['mailto:tlsrpt@example.com'] } });
    expect(parseTlsRptTxt([['v=TLSRPTv1;rua=mailto:a@example.com!10m,https://reports.example.com/tlsrpt;']])).toEqual({ kind: 'valid', record: { rua: ['mailto:a@example.com', 'https://reports.example.com/tlsrpt'] } });
  });

  it.each([
    [[['v=TLSRPTv1;']], 'no rua field'],
    [[['v=TLSRPTv1; rua=mailto:a@b; rua=mailto:c@d']], 'several rua fields'],
    [[['v=TLSRPTv1; rua=http://example.com/r']], 'rua is not a list of mailto: or https: URIs'],
    [[['v=TLSRPTv1; rua=mailto:nobody']], 'rua is not a list of mailto: or https: URIs'],
    [[['v=TLSRPTv1; rua=mailto:a@b'], ['v=TLSRPTv1; rua=mailto:c@d']], 'several records with the version'],
  ] as Array<[string[][], string]>)('rejects %j: %s', (records, why) => {
    expect(parseTlsRptTxt(records)).toEqual({ kind: 'invalid', why });
  });

  it('is absent without the version', () => {
    expect(parseTlsRptTxt([['v=STSv1; id=1']])).toEqual({ kind: 'absent' });
  });
});
