import { afterEach, describe, expect, it } from 'vitest';
import { MAX_CAPABILITIES, MAX_SASL_MECHANISMS } from '@wildtls/core';
import { runDialogAgainst, startScriptedServer, type ScriptedServer } from '@wildtls/core/testing';
import plugin from '@wildtls/protocol-irc';

/*
 * CAP LS replies over the record's caps: the record keeps the first caps and
 * mechanisms in server order and says how many the server listed; `tls` and
 * `sasl=`, listed after the cap, are still found (STARTTLS is sent). The
 * expected lists are the declared ones, cut where the caps say.
 */

/** This suite's loopback address (the list-caps block, 127.0.48.0/24). */
const HOST = '127.0.48.4';
const names = (n: number, p: string) => Array.from({ length: n }, (_, i) => `${p}${i}`);
const irc = plugin.services.find((s) => s.name === 'irc')!;

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('IRC CAP LS lists over the record caps', () => {
  it('400 caps over continuation lines, then sasl= of 100 mechanisms and tls: the first 256 caps and 64 mechanisms kept, all counted, STARTTLS sent', async () => {
    const caps = names(400, 'vendor.example/cap-');
    const mechs = names(100, 'MECH-');
    const last = [`sasl=${mechs.join(',')}`, 'tls'];
    const lines = Array.from({ length: 8 }, (_, k) => `:irc.flood.test CAP * LS * :${caps.slice(k * 50, k * 50 + 50).join(' ')}\r\n`).join('');
    server = await startScriptedServer({
      host: HOST,
      script: [{ expect: 'CAP LS 302' }, { send: `${lines}:irc.flood.test CAP * LS :${last.join(' ')}\r\n` }, { expect: 'STARTTLS' }, { send: ':irc.flood.test 691 * :STARTTLS failure\r\n' }],
    });
    const r = await runDialogAgainst({ host: HOST, port: server.port, spec: irc, readTimeoutMs: 5000 });
    expect(r.status).toBe('starttls-refused');
    expect(r.starttls).toMatchObject({ offered: true, upgraded: false });
    expect(r.capabilities).toEqual({ beforeTls: caps.slice(0, MAX_CAPABILITIES), truncated: { beforeTls: caps.length + last.length } });
    expect(r.sasl).toEqual({ beforeTls: mechs.slice(0, MAX_SASL_MECHANISMS), truncated: { beforeTls: mechs.length } });
  });

  it('a cap repeated on every line: kept once, and counted each time only once the list is full', async () => {
    const caps = names(MAX_CAPABILITIES - 1, 'c');
    server = await startScriptedServer({
      host: HOST,
      script: [
        { expect: 'CAP LS 302' },
        { send: `:s CAP * LS * :tls ${caps.join(' ')}\r\n:s CAP * LS * :tls c0\r\n:s CAP * LS :tls\r\n` },
        { expect: 'STARTTLS' },
        { send: ':s 691 * :no\r\n' },
      ],
    });
    const r = await runDialogAgainst({ host: HOST, port: server.port, spec: irc, readTimeoutMs: 5000 });
    expect(r.status).toBe('starttls-refused');
    // 256 distinct caps fill the list: the repeats after that are counted (tls, c0, tls), those before were not cut.
    expect(r.capabilities).toEqual({ beforeTls: ['tls', ...caps], truncated: { beforeTls: MAX_CAPABILITIES + 3 } });
  });
});
