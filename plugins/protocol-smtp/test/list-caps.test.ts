import { describe, expect, it } from 'vitest';
import { MAX_CAPABILITIES, MAX_SASL_MECHANISMS } from '@wildtls/core';
import { runDialogAgainst, startScriptedServer, type ScriptStep } from '@wildtls/core/testing';
import { EHLO, service } from './helpers.js';

/*
 * EHLO replies over the record's caps: the record keeps the first extension
 * lines and mechanisms in server order and says how many the server listed;
 * STARTTLS, listed after the cap, is still found and sent. The expected lists
 * are the declared ones, cut where the caps say.
 */

/** This suite's loopback address (the list-caps block, 127.0.48.0/24). */
const HOST = '127.0.48.2';
const names = (n: number, p: string) => Array.from({ length: n }, (_, i) => `${p}${i}`);
const ehlo = (exts: string[]) => ['mx.flood.test', ...exts].map((t, i, all) => `250${i === all.length - 1 ? ' ' : '-'}${t}\r\n`).join('');

async function run(exts: string[], options: unknown = {}) {
  const script: ScriptStep[] = [
    { send: '220 mx.flood.test ESMTP\r\n' },
    { expect: EHLO },
    { send: ehlo(exts) },
    { expect: 'STARTTLS' },
    { send: '454 4.7.0 TLS not available\r\n' },
    { expect: 'QUIT' },
    { send: '221 bye\r\n' },
  ];
  const server = await startScriptedServer({ host: HOST, script });
  try {
    return await runDialogAgainst({ host: HOST, port: server.port, spec: service('smtp'), protocolId: 'smtp', options, readTimeoutMs: 5000 });
  } finally {
    await server.close();
  }
}

describe('SMTP EHLO lists over the record caps', () => {
  it('AUTH lines of 100 mechanisms in both forms, repeats included: the first 64 kept, every one counted, STARTTLS after them found', async () => {
    const mechs = names(100, 'MECH-');
    const r = await run(['PIPELINING', 'AUTH PLAIN LOGIN', 'AUTH=PLAIN LOGIN', `AUTH ${mechs.slice(0, 50).join(' ')}`, `AUTH=${mechs.slice(50).join(' ')}`, 'STARTTLS']);
    expect(r.status).toBe('starttls-refused');
    expect(r.starttls).toMatchObject({ offered: true, upgraded: false });
    expect(r.capabilities?.truncated).toBeUndefined();
    expect(r.sasl).toEqual({ beforeTls: ['PLAIN', 'LOGIN', ...mechs].slice(0, MAX_SASL_MECHANISMS), truncated: { beforeTls: 4 + mechs.length } });
  });

  it('a reply of 300 extension lines (maxReplyLines raised): the first 256 kept, all counted, STARTTLS as the last line found', async () => {
    const exts = [...names(300, 'X-EXT-'), 'STARTTLS'];
    const r = await run(exts, { maxReplyLines: 400 });
    expect(r.status).toBe('starttls-refused');
    expect(r.capabilities).toEqual({ beforeTls: exts.slice(0, MAX_CAPABILITIES), truncated: { beforeTls: exts.length } });
    expect(r.sasl).toEqual({ beforeTls: [] });
  });
});
