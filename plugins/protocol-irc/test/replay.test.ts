import { checkPlugin } from '@wildtls/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate, startScriptedServer, runDialogAgainst, type ScriptStep, type ScriptedServer, type TestCertificate } from '@wildtls/core/testing';
import plugin from '@wildtls/protocol-irc';
import * as I from './fixtures/inspircd-3.15.js';

const irc = plugin.services.find((s) => s.name === 'irc')!;
const ircs = plugin.services.find((s) => s.name === 'ircs')!;
let cert: TestCertificate;
const servers: ScriptedServer[] = [];
beforeAll(async () => {
  cert = await selfSignedCertificate({ commonName: 'irc.test' });
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});
async function serve(script: ScriptStep[], implicitTls = false) {
  const s = await startScriptedServer({ script, tls: cert, implicitTls });
  servers.push(s);
  return s;
}

describe('irc plugin: recorded InspIRCd 3.15 exchanges', () => {
  it('declares irc 6667 (starttls) and ircs 6697 (implicit)', () => {
    expect(plugin.id).toBe('irc');
    expect(checkPlugin(plugin, '@wildtls/protocol-irc')).toBe(plugin);
    expect(plugin.services.map((s) => [s.name, s.defaultPort, s.mode])).toEqual([['irc', 6667, 'starttls'], ['ircs', 6697, 'implicit']]);
  });

  it('NOTICE banner, CAP LS, STARTTLS 670, handshake, CAP LS again, QUIT; never registers', async () => {
    const s = await serve([
      { send: I.NOTICE_LOOKUP },
      { expect: 'CAP LS 302' },
      { send: I.CAP_LS + I.NOTICE_RESOLVE_FAILED },
      { expect: 'STARTTLS' },
      { send: I.STARTTLS_OK },
      { startTls: true },
      { expect: 'CAP LS 302' },
      { send: I.CAP_LS_TLS },
      { expect: /^QUIT/ },
    ]);
    const r = await runDialogAgainst({ port: s.port, spec: irc, protocolId: 'irc', domain: 'irc.test' });
    expect(r.status).toBe('success');
    expect(r.banner).toBe(':irc.test NOTICE * :*** Looking up your hostname...');
    expect(r.capabilities).toEqual({ beforeTls: I.CAPS, afterTls: I.CAPS });
    expect(r.sasl).toEqual({ beforeTls: [], afterTls: [] });
    expect(r.starttls).toEqual({ offered: true, upgraded: true, reply: ':irc.test 670 * :STARTTLS successful, go ahead with TLS handshake' });
    expect(Buffer.from(r.tls!.chain[0]!, 'base64').equals(cert.der)).toBe(true);
    await new Promise((res) => setTimeout(res, 50));
    expect(s.received[0]).toEqual(['CAP LS 302', 'STARTTLS', 'CAP LS 302', 'QUIT :wildtls research scan done']);
  });

  it('ircs: implicit TLS, caps recorded as after-TLS', async () => {
    const s = await serve([{ expect: 'CAP LS 302' }, { send: I.NOTICE_LOOKUP + I.CAP_LS_TLS }], true);
    const r = await runDialogAgainst({ port: s.port, spec: ircs, domain: 'irc.test' });
    expect(r.status).toBe('success');
    expect(r.capabilities).toEqual({ afterTls: I.CAPS });
    expect(r.starttls).toBeUndefined();
    expect(r.banner).toContain('Looking up your hostname');
  });

  it('multi-line CAP LS (CAP * LS * continuation) and sasl mechanisms from the cap value', async () => {
    // The IRCv3 CAP 302 shape (as in the spec's examples), not a capture.
    const s = await serve([
      { expect: 'CAP LS 302' },
      { send: ':irc.example.net CAP * LS * :multi-prefix extended-join account-notify batch invite-notify tls\r\n' },
      { send: ':irc.example.net CAP * LS * :cap-notify server-time example.org/dummy-cap=dummyvalue example.org/second-dummy-cap\r\n', delayMs: 20 },
      { send: ':irc.example.net CAP * LS :userhost-in-names sasl=EXTERNAL,DH-AES,DH-BLOWFISH,ECDSA-NIST256P-CHALLENGE,PLAIN\r\n' },
      { expect: 'STARTTLS' },
      { send: ':irc.example.net 691 * :STARTTLS failure\r\n' },
    ]);
    const r = await runDialogAgainst({ port: s.port, spec: irc });
    expect(r.status).toBe('starttls-refused');
    expect(r.starttls).toEqual({ offered: true, upgraded: false, reply: ':irc.example.net 691 * :STARTTLS failure' });
    expect(r.capabilities?.beforeTls).toEqual([
      'multi-prefix', 'extended-join', 'account-notify', 'batch', 'invite-notify', 'tls', 'cap-notify', 'server-time',
      'example.org/dummy-cap=dummyvalue', 'example.org/second-dummy-cap', 'userhost-in-names', 'sasl=EXTERNAL,DH-AES,DH-BLOWFISH,ECDSA-NIST256P-CHALLENGE,PLAIN',
    ]);
    expect(r.sasl?.beforeTls).toEqual(['EXTERNAL', 'DH-AES', 'DH-BLOWFISH', 'ECDSA-NIST256P-CHALLENGE', 'PLAIN']);
    expect(r.banner).toBeUndefined();
  });

  it('no tls cap (ngIRCd-like): no-starttls, STARTTLS never sent', async () => {
    const s = await serve([{ expect: 'CAP LS 302' }, { send: ':ngircd.test CAP * LS :multi-prefix\r\n' }, { expect: /^QUIT/ }]);
    const r = await runDialogAgainst({ port: s.port, spec: irc });
    expect(r.status).toBe('no-starttls');
    expect(r.starttls).toEqual({ offered: false, upgraded: false });
    await new Promise((res) => setTimeout(res, 50));
    expect(s.received[0]).toEqual(['CAP LS 302', 'QUIT :wildtls research scan done']);
  });

  it('PING before the CAP reply is answered with PONG', async () => {
    const s = await serve([{ expect: 'CAP LS 302' }, { send: 'PING :12345\r\n' }, { expect: 'PONG :12345' }, { send: ':x CAP * LS :tls\r\n' }, { expect: 'STARTTLS' }, { send: ':x 691 * :STARTTLS failure\r\n' }]);
    const r = await runDialogAgainst({ port: s.port, spec: irc });
    expect(r.status).toBe('starttls-refused');
  });

  it('a bare `CAP * LS` (nothing listed) and 410 are empty lists', async () => {
    for (const answer of [':x CAP * LS\r\n', ':x 410 * LS :Invalid CAP command\r\n']) {
      const s = await serve([{ expect: 'CAP LS 302' }, { send: answer }]);
      const r = await runDialogAgainst({ port: s.port, spec: irc });
      expect(r.status).toBe('no-starttls');
      expect(r.capabilities).toEqual({ beforeTls: [] });
    }
  });

  it('a server without CAP (421) has no capabilities: no-starttls', async () => {
    const s = await serve([{ expect: 'CAP LS 302' }, { send: ':old.test 421 * CAP :Unknown command\r\n' }]);
    const r = await runDialogAgainst({ port: s.port, spec: irc });
    expect(r.status).toBe('no-starttls');
    expect(r.capabilities).toEqual({ beforeTls: [] });
  });

  it('registers (configured nick) only when CAP LS is refused before registration (451)', async () => {
    const s = await serve([
      { expect: 'CAP LS 302' },
      { send: ':reg.test 451 * :You have not registered\r\n' },
      { expect: 'NICK scanbot' },
      { expect: /^USER wildtls 0 \* :wildtls TLS research scanner$/ },
      { send: ':reg.test 433 * scanbot :Nickname is already in use\r\n' },
      { expect: 'NICK scanbot1' },
      { send: ':reg.test 001 scanbot1 :Welcome\r\n:reg.test 375 scanbot1 :- MOTD -\r\n' },
      { expect: 'CAP LS 302' },
      { send: ':reg.test CAP scanbot1 LS :sasl=PLAIN\r\n' },
    ]);
    const r = await runDialogAgainst({ port: s.port, spec: irc, options: { nick: 'scanbot' } });
    expect(r.status).toBe('no-starttls');
    expect(r.capabilities).toEqual({ beforeTls: ['sasl=PLAIN'] });
    expect(r.sasl).toEqual({ beforeTls: ['PLAIN'] });
  });
});
