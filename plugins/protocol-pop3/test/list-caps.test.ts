import { afterEach, describe, expect, it } from 'vitest';
import { MAX_CAPABILITIES, MAX_SASL_MECHANISMS } from '@wildtls/core';
import { runDialogAgainst, startScriptedServer, type ScriptedServer } from '@wildtls/core/testing';
import plugin from '../src/index.js';

/*
 * CAPA replies over the record's caps: the record keeps the first lines and
 * mechanisms in server order and says how many the server listed; STLS,
 * listed after the cap, is still found and sent. The expected lists are the
 * declared ones, cut where the caps say.
 */

/** This suite's loopback address (the list-caps block, 127.0.48.0/24). */
const HOST = '127.0.48.3';
const names = (n: number, p: string) => Array.from({ length: n }, (_, i) => `${p}${i}`);

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function run(body: string[], options: unknown = {}) {
  server = await startScriptedServer({
    host: HOST,
    script: [
      { send: '+OK ready\r\n' },
      { expect: 'CAPA' },
      { send: `+OK\r\n${body.map((l) => `${l}\r\n`).join('')}.\r\n` },
      { expect: 'STLS' },
      { send: '-ERR not now\r\n' },
      { expect: 'QUIT' },
      { send: '+OK bye\r\n' },
    ],
  });
  return runDialogAgainst({ host: HOST, port: server.port, spec: plugin.services[0]!, protocolId: 'pop3', options, readTimeoutMs: 5000 });
}

describe('POP3 CAPA lists over the record caps', () => {
  it('SASL lines of 100 mechanisms: the first 64 kept, every one counted, STLS after them found', async () => {
    const mechs = names(100, 'MECH-');
    const r = await run(['USER', 'SASL PLAIN', `SASL ${mechs.slice(0, 40).join(' ')}`, `SASL\t${mechs.slice(40).join('  ')}`, 'STLS']);
    expect(r.status).toBe('starttls-refused');
    expect(r.starttls).toMatchObject({ offered: true, upgraded: false });
    expect(r.capabilities?.truncated).toBeUndefined();
    expect(r.sasl).toEqual({ beforeTls: ['PLAIN', ...mechs].slice(0, MAX_SASL_MECHANISMS), truncated: { beforeTls: 1 + mechs.length } });
  });

  it('300 capability lines (maxReplyLines raised): the first 256 kept, all counted, STLS as the last line found', async () => {
    const body = [...names(300, 'X-CAPA-'), 'STLS'];
    const r = await run(body, { maxReplyLines: 400 });
    expect(r.status).toBe('starttls-refused');
    expect(r.capabilities).toEqual({ beforeTls: body.slice(0, MAX_CAPABILITIES), truncated: { beforeTls: body.length } });
    expect(r.sasl).toEqual({ beforeTls: [] });
  });
});
