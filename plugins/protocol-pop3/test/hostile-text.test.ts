import { afterEach, describe, expect, it } from 'vitest';
import { runDialogAgainst, startScriptedServer, type ScriptedServer } from '@wildtls/core/testing';
import plugin from '../src/index.js';
import { parseCapa, unstuff } from '../src/reply.js';

/*
 * CAPA bodies shaped to cost a careless parser super-linear time (SASL lines of
 * thousands of mechanisms, de-duplicated by a linear scan that was quadratic;
 * lines of white space). Each case asserts the correct parse.
 */

/** This suite's loopback address (the plugins-audit block, 127.0.44.0/24). */
const HOST = '127.0.44.3';
const mechs = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `m${from + i}`);

describe('POP3 CAPA parsing of hostile text', () => {
  it('250 SASL lines of 1,000 mechanisms each, overlapping: the first 64 once each, upper-cased, in first-seen order; every one counted', () => {
    const body = Array.from({ length: 250 }, (_, k) => `SASL ${mechs(1000, k * 4).join('  \t ')}`);
    const view = parseCapa([...body, 'STLS']);
    expect(view.capabilities).toHaveLength(251);
    expect(view.sasl).toEqual(mechs(64).map((m) => m.toUpperCase()));
    expect(view.truncated).toEqual({ sasl: 250 * 1000 });
    expect(view.startTls).toBe(true);
  });

  it('lines of 8 KiB of white space are no capabilities; a stuffed line is unstuffed', () => {
    const view = parseCapa([' '.repeat(8000), '\t'.repeat(8000), unstuff('..X-DOT'), `${' '.repeat(4000)}SASL${' '.repeat(4000)}PLAIN`]);
    expect(view.capabilities).toEqual(['.X-DOT', `SASL${' '.repeat(4000)}PLAIN`]);
    expect(view.sasl).toEqual(['PLAIN']);
  });
});

describe('POP3 dialog against a server sending hostile text', () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('a CAPA reply at the line cap of long SASL lines: the first 64 mechanisms recorded once each, all of them counted', async () => {
    const body = Array.from({ length: 250 }, (_, k) => `SASL ${mechs(1000, k * 10).join(' ')}\r\n`).join('');
    server = await startScriptedServer({ host: HOST, script: [{ send: '+OK ready\r\n' }, { expect: 'CAPA' }, { send: `+OK\r\nUSER\r\n${body}.\r\n` }, { expect: 'QUIT' }, { send: '+OK bye\r\n' }] });
    const r = await runDialogAgainst({ host: HOST, port: server.port, spec: plugin.services[0]!, protocolId: 'pop3', readTimeoutMs: 5000, maxTotalBytes: 4 << 20 });
    expect(r.status).toBe('no-starttls');
    expect(r.capabilities?.beforeTls).toHaveLength(251);
    expect(r.sasl).toEqual({ beforeTls: mechs(64).map((m) => m.toUpperCase()), truncated: { beforeTls: 250 * 1000 } });
  });
});
