import { afterEach, describe, expect, it } from 'vitest';
import { MAX_CAPABILITIES, MAX_SASL_MECHANISMS } from '@wildtls/core';
import { runDialogAgainst, selfSignedCertificate, startScriptedServer, type ScriptedServer } from '@wildtls/core/testing';
import plugin from '../src/index.js';

/*
 * A CAPABILITY reply over the record's caps, in both phases: the record keeps
 * the first atoms and mechanisms in server order and says how many the server
 * listed; STARTTLS, listed after the cap, is still found and sent. The
 * expected lists are the declared ones, cut where the caps say.
 */

/** This suite's loopback address (the list-caps block, 127.0.48.0/24). */
const HOST = '127.0.48.1';
const names = (n: number, p: string) => Array.from({ length: n }, (_, i) => `${p}${i}`);

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('IMAP capability lists over the record caps', () => {
  it('before and after TLS: the first 256 atoms and 64 mechanisms kept, the counts recorded, STARTTLS after the cap found', async () => {
    const mechs = names(100, 'MECH-');
    const before = ['IMAP4rev1', ...names(400, 'X-CAP-'), ...mechs.map((m) => `AUTH=${m}`), 'LOGINDISABLED', 'STARTTLS'];
    const after = ['IMAP4rev1', 'AUTH=PLAIN', ...names(300, 'Y-CAP-'), 'AUTH=plain'];
    const cert = await selfSignedCertificate({ keyType: 'ec' });
    server = await startScriptedServer({
      host: HOST,
      tls: cert,
      script: [
        { send: '* OK ready\r\n' },
        { expect: 'W001 CAPABILITY' },
        { send: `* CAPABILITY ${before.join(' ')}\r\nW001 OK done\r\n` },
        { expect: 'W002 STARTTLS' },
        { send: 'W002 OK go ahead\r\n' },
        { startTls: true },
        { expect: 'W003 CAPABILITY' },
        { send: `* CAPABILITY ${after.join(' ')}\r\nW003 OK done\r\n` },
        { expect: 'W004 LOGOUT' },
        { send: '* BYE\r\nW004 OK bye\r\n' },
      ],
    });
    const r = await runDialogAgainst({ host: HOST, port: server.port, spec: plugin.services[0]!, protocolId: 'imap', readTimeoutMs: 5000 });
    expect(r.status).toBe('success');
    expect(r.starttls).toMatchObject({ offered: true, upgraded: true });
    expect(r.tls?.completed).toBe(true);
    expect(r.capabilities).toEqual({
      beforeTls: before.slice(0, MAX_CAPABILITIES),
      afterTls: after.slice(0, MAX_CAPABILITIES),
      truncated: { beforeTls: before.length, afterTls: after.length },
    });
    // After TLS: two AUTH= atoms of one mechanism, under the cap: one mechanism, nothing cut.
    expect(r.sasl).toEqual({ beforeTls: mechs.slice(0, MAX_SASL_MECHANISMS), afterTls: ['PLAIN'], truncated: { beforeTls: mechs.length } });
  });

  it('a greeting\'s [CAPABILITY] code: STARTTLS as the 257th atom is found; exactly 64 mechanisms are whole', async () => {
    const mechs = names(MAX_SASL_MECHANISMS, 'M');
    const atoms = [...names(MAX_CAPABILITIES - mechs.length, 'C'), ...mechs.map((m) => `AUTH=${m}`)];
    server = await startScriptedServer({
      host: HOST,
      script: [{ send: `* OK [CAPABILITY ${atoms.join(' ')} STARTTLS] ready\r\n` }, { expect: 'W001 STARTTLS' }, { send: 'W001 NO not now\r\n' }, { expect: 'W002 LOGOUT' }, { send: 'W002 OK bye\r\n' }],
    });
    const r = await runDialogAgainst({ host: HOST, port: server.port, spec: plugin.services[0]!, protocolId: 'imap', readTimeoutMs: 5000 });
    expect(r.status).toBe('starttls-refused');
    expect(r.capabilities).toEqual({ beforeTls: atoms, truncated: { beforeTls: atoms.length + 1 } });
    expect(r.sasl).toEqual({ beforeTls: mechs });
  });
});
