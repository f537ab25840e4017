import { describe, expect, it } from 'vitest';
import { isProbeError } from '@wildtls/core';
import { parseEhlo, parseKeyword, parseReply, smtpReplyEnd } from '@wildtls/protocol-smtp';
import { isLastSmtpLine } from '../src/reply.js';

const ehlo = (...ext: string[]) => ['250-mx.example', ...ext.map((e, i) => `250${i === ext.length - 1 ? ' ' : '-'}${e}`)];

describe('SMTP reply parsing', () => {
  it('finds the end of single and multi-line replies, with or without text', () => {
    const end = smtpReplyEnd();
    expect([end('250-a', 0), end('250-b', 1), end('250 c', 2)]).toEqual([false, false, true]);
    expect(smtpReplyEnd()('220', 0)).toBe(true);
    expect(parseReply(['250-one', '250 two'])).toEqual({ code: 250, texts: ['one', 'two'], lines: ['250-one', '250 two'] });
  });

  it('refuses lines that are not reply lines, and code changes inside one reply', () => {
    for (const bad of ['hello', '25', '2500 x', '650 x', '\x00\x01\x02', '']) {
      expect(() => smtpReplyEnd()(bad, 0), bad).toThrow(/not an SMTP reply line/);
    }
    const end = smtpReplyEnd();
    end('250-a', 0);
    expect(() => end('251 b', 1)).toThrow(/reply code changed/);
    expect(() => parseReply(['250 a', '250 b'])).toThrow(/ends before its last line/);
    expect(() => parseReply([])).toThrow(/empty/);
  });

  it("the dialog's stateless check (isLastSmtpLine) ends and refuses the same lines, given the reply so far", () => {
    const reply = ['250-a', '250-b', '250 c'];
    expect(reply.map((l, i) => isLastSmtpLine(l, i, reply.slice(0, i + 1)))).toEqual([false, false, true]);
    expect(isLastSmtpLine('220', 0, ['220'])).toBe(true);
    for (const bad of ['hello', '25', '2500 x', '650 x', '\x00\x01\x02', '']) {
      expect(() => isLastSmtpLine(bad, 0, [bad]), bad).toThrow(/not an SMTP reply line/);
      expect(() => isLastSmtpLine(bad, 1, ['250-a', bad]), bad).toThrow(/not an SMTP reply line/);
    }
    expect(() => isLastSmtpLine('251 b', 1, ['250-a', '251 b'])).toThrow('reply code changed from 250 to 251 inside one multi-line reply');
    // Each reply starts over: a 220 after a whole 250 reply is a reply of its own.
    expect(isLastSmtpLine('220 go', 0, ['220 go'])).toBe(true);
  });

  it('reads EHLO keywords, STARTTLS and AUTH in both spellings', () => {
    expect(parseKeyword('size 1000')).toEqual({ keyword: 'SIZE', params: ['1000'] });
    expect(parseKeyword('AUTH=PLAIN LOGIN')).toEqual({ keyword: 'AUTH', params: ['PLAIN', 'LOGIN'] });
    expect(parseKeyword('auth  cram-md5')).toEqual({ keyword: 'AUTH', params: ['cram-md5'] });
    const v = parseEhlo(ehlo('PIPELINING', 'AUTH PLAIN LOGIN', 'AUTH=LOGIN XOAUTH2 PLAIN', 'starttls', 'SIZE 10'));
    expect(v).toEqual({
      greeting: 'mx.example',
      capabilities: ['PIPELINING', 'AUTH PLAIN LOGIN', 'AUTH=LOGIN XOAUTH2 PLAIN', 'starttls', 'SIZE 10'],
      sasl: ['PLAIN', 'LOGIN', 'XOAUTH2'],
      startTls: true,
    });
  });

  it('does not mistake look-alike keywords for STARTTLS or AUTH', () => {
    const v = parseEhlo(ehlo('STARTTLSX', 'X-STARTTLS', 'AUTHX PLAIN', 'XAUTH LOGIN'));
    expect(v.startTls).toBe(false);
    expect(v.sasl).toEqual([]);
  });

  it('treats a one-line (HELO-style) reply as no extensions', () => {
    expect(parseEhlo(['250 mx.example Hello'])).toEqual({ greeting: 'mx.example Hello', capabilities: [], sasl: [], startTls: false });
  });

  it('escapes control bytes in mechanism names', () => {
    expect(parseEhlo(ehlo('AUTH PL\x01AIN')).sasl).toEqual(['PL\\x01AIN']);
  });

  it('never throws anything but a classified ProbeError on random lines (bounded fuzz)', () => {
    let seed = 42;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const alphabet = ['2', '5', '0', '-', ' ', 'A', 'U', 'T', 'H', '=', '\x00', '\xff', 'S'];
    for (let n = 0; n < 2000; n++) {
      const lines = Array.from({ length: 1 + Math.floor(rnd() * 4) }, () =>
        Array.from({ length: Math.floor(rnd() * 12) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join(''));
      try {
        const v = parseEhlo(lines);
        expect(Array.isArray(v.sasl) && Array.isArray(v.capabilities)).toBe(true);
      } catch (err) {
        expect(isProbeError(err), String(err)).toBe(true);
      }
    }
  });
});
