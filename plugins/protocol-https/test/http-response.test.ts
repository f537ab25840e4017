import { describe, expect, it } from 'vitest';
import { isProbeError } from '@wildtls/core';
import { firstHeader, parseHeaders, parseStatusLine } from '@wildtls/protocol-https';

describe('HTTP response head parsing', () => {
  it('status lines, with and without a reason phrase', () => {
    expect(parseStatusLine('HTTP/1.1 200 OK')).toEqual({ version: '1.1', status: 200, reason: 'OK' });
    expect(parseStatusLine('HTTP/1.0 204')).toEqual({ version: '1.0', status: 204, reason: '' });
    expect(() => parseStatusLine('SSH-2.0-OpenSSH_9.2')).toThrow(/status line/);
    expect(() => parseStatusLine('HTTP/1.1 20 OK')).toThrow();
  });

  it('headers: names lower-cased, values trimmed, folding joined, first value wins', () => {
    const h = parseHeaders(['Server: nginx ', 'X-Long: a', '\tb', 'Strict-Transport-Security: max-age=1', 'strict-transport-security: max-age=2']);
    expect(firstHeader(h, 'server')).toBe('nginx');
    expect(firstHeader(h, 'x-long')).toBe('a b');
    expect(firstHeader(h, 'strict-transport-security')).toBe('max-age=1');
    expect(firstHeader(h, 'absent')).toBeUndefined();
  });

  it('malformed header names are refused with a ProbeError', () => {
    for (const bad of ['no colon', ': empty name', 'sp ace: x', ' leading fold first']) {
      let err: unknown;
      try {
        parseHeaders([bad]);
      } catch (e) {
        err = e;
      }
      expect(isProbeError(err), bad).toBe(true);
    }
  });
});
