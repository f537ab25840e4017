import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate, startScriptedServer, runDialogAgainst, type ScriptStep, type ScriptedServer, type TestCertificate } from '@wildtls/core/testing';
import plugin from '@wildtls/protocol-irc';
import * as I from './fixtures/inspircd-3.15.js';

const irc = plugin.services.find((s) => s.name === 'irc')!;
let cert: TestCertificate;
const servers: ScriptedServer[] = [];
beforeAll(async () => {
  cert = await selfSignedCertificate({ commonName: 'irc.test' });
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function probe(script: ScriptStep[], opts: { readTimeoutMs?: number; maxLineBytes?: number } = {}) {
  const s = await startScriptedServer({ script, tls: cert });
  servers.push(s);
  return runDialogAgainst({ port: s.port, spec: irc, readTimeoutMs: opts.readTimeoutMs ?? 1000, probeTimeoutMs: 8000, maxLineBytes: opts.maxLineBytes });
}

describe('irc plugin: hostile servers', () => {
  it('an overlong line hits the line cap', async () => {
    const r = await probe([{ expect: 'CAP LS 302' }, { send: ':x CAP * LS :' + 'a'.repeat(20_000) + '\r\n' }], { maxLineBytes: 8192 });
    expect(r.status).toBe('protocol-error');
    expect(r.error?.reason).toBe('line-too-long');
  });

  it('a never-ending CAP LS (continuation lines forever) hits the line count cap', async () => {
    const r = await probe([{ expect: 'CAP LS 302' }, { send: ':x CAP * LS * :cap-a cap-b\r\n'.repeat(1000) }]);
    expect(r.status).toBe('protocol-error');
    expect(r.error?.reason).toBe('reply-too-large');
  });

  it('a NOTICE flood before CAP hits the line count cap, keeping the first NOTICE as banner', async () => {
    const r = await probe([{ expect: 'CAP LS 302' }, { send: Array.from({ length: 500 }, (_, i) => `:x NOTICE * :*** notice ${i}\r\n`).join('') }]);
    expect(r.status).toBe('protocol-error');
    expect(r.error?.reason).toBe('reply-too-large');
    expect(r.banner).toBe(':x NOTICE * :*** notice 0');
  });

  it('a slow drip of the CAP reply ends at the reply deadline', async () => {
    const drip: ScriptStep[] = [...I.CAP_LS].map((ch) => ({ send: ch, delayMs: 30 }));
    const r = await probe([{ expect: 'CAP LS 302' }, ...drip], { readTimeoutMs: 500 });
    expect(r.status).toBe('timeout');
    expect(r.error?.reason).toBe('read-timeout');
  });

  it('binary garbage is a malformed reply', async () => {
    const r = await probe([{ expect: 'CAP LS 302' }, { send: Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 0x0d, 0x0a, 0xff, 0x00, 0x0d, 0x0a]) }]);
    expect(r.status).toBe('protocol-error');
    expect(r.error?.reason).toBe('malformed-reply');
  });

  it('another protocol (HTTP) is a malformed reply', async () => {
    const r = await probe([{ expect: 'CAP LS 302' }, { send: 'HTTP/1.1 400 Bad Request\r\n\r\n' }]);
    expect(r.status).toBe('protocol-error');
    expect(r.error?.reason).toBe('malformed-reply');
  });

  it('silence is a timeout', async () => {
    const r = await probe([], { readTimeoutMs: 300 });
    expect(r.status).toBe('timeout');
  });

  it('ERROR instead of a CAP reply is connection-closed with the line', async () => {
    const r = await probe([{ expect: 'CAP LS 302' }, { send: 'ERROR :Closing link: (unknown@127.0.0.1) [Too many connections]\r\n' }, { close: true }]);
    expect(r.status).toBe('protocol-error');
    expect(r.error?.reason).toBe('connection-closed');
    expect(r.error?.message).toContain('Too many connections');
  });

  it('STARTTLS accepted with plaintext in the same flight: injection hazard, no handshake', async () => {
    const r = await probe([{ expect: 'CAP LS 302' }, { send: I.CAP_LS }, { expect: 'STARTTLS' }, { send: I.STARTTLS_OK + ':irc.test NOTICE * :injected\r\n' }]);
    expect(r.status).toBe('protocol-error');
    expect(r.error?.reason).toBe('unexpected-reply');
    expect(r.starttls?.upgraded).toBe(true);
    expect(r.tls).toBeUndefined();
  });

  it('STARTTLS accepted, then plaintext garbage instead of a ServerHello: tls-failed', async () => {
    const r = await probe([{ expect: 'CAP LS 302' }, { send: I.CAP_LS }, { expect: 'STARTTLS' }, { send: I.STARTTLS_OK }, { send: 'garbage garbage garbage\r\n'.repeat(4), delayMs: 50 }]);
    expect(r.status).toBe('tls-failed');
    expect(r.starttls).toEqual({ offered: true, upgraded: true, reply: I.STARTTLS_OK.trim() });
    expect(r.tls?.completed).toBe(false);
    expect(r.capabilities?.beforeTls).toEqual(I.CAPS);
  });

  it('421 to STARTTLS despite the tls cap is starttls-refused with the exact reply', async () => {
    const r = await probe([{ expect: 'CAP LS 302' }, { send: ':x CAP * LS :tls\r\n' }, { expect: 'STARTTLS' }, { send: ':x 421 * STARTTLS :Unknown command\r\n' }]);
    expect(r.status).toBe('starttls-refused');
    expect(r.starttls?.reply).toBe(':x 421 * STARTTLS :Unknown command');
  });

  it('a 451 loop during registration does not register twice', async () => {
    const r = await probe([
      { expect: 'CAP LS 302' },
      { send: ':x 451 * :You have not registered\r\n' },
      { expect: /^NICK / },
      { expect: /^USER / },
      { send: ':x 001 wildtls-scan :Welcome\r\n' },
      { expect: 'CAP LS 302' },
      { send: ':x 451 * :You have not registered\r\n' },
    ]);
    expect(r.status).toBe('no-starttls');
    expect(r.capabilities).toEqual({ beforeTls: [] });
  });
});
