import { describe, expect, it } from 'vitest';
import { runDialogAgainst, startScriptedServer } from '@wildtls/core/testing';
import { parseEhlo, parseKeyword, parseReply, smtpReplyEnd } from '../src/reply.js';
import { EHLO, service } from './helpers.js';

/*
 * Server text shaped to cost a careless parser super-linear time: 250-
 * continuation floods, AUTH lines of thousands of mechanisms (de-duplicated
 * by a linear scan, that was quadratic), lines of white space. Each case
 * asserts the parse a correct client makes.
 */

/** This suite's loopback address (the plugins-audit block, 127.0.44.0/24). */
const HOST = '127.0.44.2';
const mechs = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `m${from + i}`);

describe('SMTP parsing of hostile text', () => {
  it('a 127-line 250- flood of AUTH lines: the first 64 mechanisms once each, upper-cased, in first-seen order; every one counted', () => {
    // 1,000 mechanisms per line, the same 1,500 across the lines (overlapping), repeated in lower and upper case.
    const lines = ['250-mx.example', ...Array.from({ length: 126 }, (_, k) => `250-AUTH ${mechs(1000, (k * 500) % 1000).join(' ')}`), '250 AUTH=M0 m1499'];
    const view = parseEhlo(lines);
    expect(view.greeting).toBe('mx.example');
    expect(view.capabilities).toHaveLength(127);
    expect(view.sasl).toEqual(mechs(64).map((m) => m.toUpperCase()));
    expect(view.truncated).toEqual({ sasl: 126 * 1000 + 2 });
    expect(view.startTls).toBe(false);
  });

  it('lines of 8 KiB of spaces: kept as (empty-keyword) capability lines, STARTTLS still found', () => {
    const blank = `250-${' '.repeat(8000)}`;
    const view = parseEhlo(['250-mx', blank, `250-${' '.repeat(4000)}AUTH${' '.repeat(3000)}PLAIN${' '.repeat(1000)}`, blank, '250 STARTTLS']);
    expect(view.sasl).toEqual(['PLAIN']);
    expect(view.startTls).toBe(true);
    expect(parseKeyword(' '.repeat(8000))).toEqual({ keyword: '', params: [] });
  });

  it('the end of a 127-line reply is found line by line, and a changed code is still refused', () => {
    const end = smtpReplyEnd();
    const lines = [...Array.from({ length: 126 }, () => `250-${'x'.repeat(8000)}`), '250 end'];
    expect(lines.map((l, i) => end(l, i))).toEqual([...Array(126).fill(false), true]);
    expect(parseReply(lines).code).toBe(250);
    expect(() => parseReply(['250-a', '251 b'])).toThrow(/reply code changed/);
  });
});

describe('SMTP dialog against a server sending hostile text', () => {
  it('an EHLO reply at the line cap, of long AUTH lines: the first 64 mechanisms recorded once each, all of them counted', async () => {
    const auth = Array.from({ length: 126 }, (_, k) => `250-AUTH ${mechs(1200, k * 10).join(' ')}\r\n`).join('');
    const server = await startScriptedServer({ host: HOST, script: [{ send: '220 mx.hostile.test ESMTP\r\n' }, { expect: EHLO }, { send: `250-mx.hostile.test\r\n${auth}250 PIPELINING\r\n` }, { expect: 'QUIT' }, { send: '221 bye\r\n' }] });
    try {
      const r = await runDialogAgainst({ host: HOST, port: server.port, spec: service('smtp'), protocolId: 'smtp', readTimeoutMs: 5000 });
      expect(r.status).toBe('no-starttls');
      expect(r.capabilities?.beforeTls).toHaveLength(127);
      expect(r.sasl).toEqual({ beforeTls: mechs(64).map((m) => m.toUpperCase()), truncated: { beforeTls: 126 * 1200 } });
    } finally {
      await server.close();
    }
  });
});
