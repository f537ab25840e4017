import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProbeRecord, type TlsEngine } from '@wildtls/core';
import { certificateChain, runDialogAgainst, type TestChain } from '@wildtls/core/testing';
import imapPlugin from '@wildtls/protocol-imap';
import pop3Plugin from '@wildtls/protocol-pop3';
import { ENGINES, expectChainSent, startAll, valid } from '../harness/real-server-checks.js';
import { requireBinaries } from '../harness/require-binary.js';
import { DOVECOT, startDovecot, type DovecotInstance } from './dovecot/start-dovecot.js';

/*
 * Real Dovecot 2.3 on 127.0.11.1-4 and .8, one instance per configuration the study
 * meets. The client connects from 127.0.0.1 to 127.0.11.x: Dovecot treats a
 * connection whose remote and local addresses are equal as secure, which would
 * hide LOGINDISABLED, so the instances never listen on 127.0.0.1.
 */


const [imap, imaps] = imapPlugin.services;
const [pop3, pop3s] = pop3Plugin.services;

/** Every assertion must hold for both TLS engines (chain[0] and version are what the wire says). */
let engine: () => TlsEngine = ENGINES[0]![1];

let chain: TestChain;
let strict: DovecotInstance; // LOGINDISABLED before TLS, TLS capped at 1.2
let plaintext: DovecotInstance; // plaintext auth allowed before TLS, TLS 1.3 only
let cram: DovecotInstance; // CRAM-MD5 offered before TLS
let noTls: DovecotInstance; // ssl = no
let badCert: DovecotInstance; // ssl = yes with a certificate file OpenSSL cannot read

function run(spec: typeof imap, host: string, port: number, protocolId: string): Promise<ProbeRecord> {
  return runDialogAgainst({ host, port, spec: spec!, protocolId, domain: 'mail.wildtls.test', engine: engine() });
}


const expectChain = (r: ProbeRecord): void => expectChainSent(r, chain);

const ready = requireBinaries([
  { path: DOVECOT, pkg: 'dovecot-core' },
  { path: '/usr/lib/dovecot/imap', pkg: 'dovecot-imapd' },
  { path: '/usr/lib/dovecot/pop3', pkg: 'dovecot-pop3d' },
]);

beforeAll(async () => {
  if (!ready) return;
  chain = await certificateChain({ leafName: 'mail.wildtls.test' });
  // PEM blocks need their own line ends, or OpenSSL reports a bad end line.
  const certChainPem = [chain.leaf.certPem, chain.intermediate.certPem].map((p) => p.trim() + '\n').join('');
  const tls = { certChainPem, keyPem: chain.leaf.keyPem };
  [strict, plaintext, cram, noTls, badCert] = await startAll([
    startDovecot({ ip: '127.0.11.1', ssl: true, disablePlaintextAuth: true, mechanisms: ['plain', 'login'], maxTls: 'TLSv1.2', ...tls }),
    startDovecot({ ip: '127.0.11.2', ssl: true, disablePlaintextAuth: false, mechanisms: ['plain', 'login'], minTls: 'TLSv1.3', ...tls }),
    startDovecot({ ip: '127.0.11.3', ssl: true, disablePlaintextAuth: true, mechanisms: ['cram-md5', 'plain', 'login'], ...tls }),
    startDovecot({ ip: '127.0.11.4', ssl: false, disablePlaintextAuth: false, mechanisms: ['plain', 'login'] }),
    startDovecot({ ip: '127.0.11.8', ssl: true, disablePlaintextAuth: true, mechanisms: ['plain'], certChainPem: 'not a certificate\n', keyPem: chain.leaf.keyPem }),
  ]);
});


afterAll(async () => {
  await Promise.all([strict, plaintext, cram, noTls, badCert].filter(Boolean).map((d) => d.stop()));
});

describe.runIf(ready).each(ENGINES)('IMAP against Dovecot (%s engine)', (_name, makeEngine) => {
  beforeAll(() => {
    engine = makeEngine;
  });

  it('LOGINDISABLED and no plaintext mechanism before STARTTLS; PLAIN LOGIN after; TLS 1.2; chain as configured', async () => {
    const r = valid(await run(imap, strict.ip, strict.ports.imap, 'imap'));
    expect(r.status).toBe('success');
    expect(r.banner).toMatch(/^\* OK \[CAPABILITY .*\] Dovecot/);
    expect(r.starttls).toEqual({ offered: true, upgraded: true, reply: expect.stringMatching(/^W\d+ OK /) });
    expect(r.capabilities!.beforeTls).toEqual(['IMAP4rev1', 'SASL-IR', 'LOGIN-REFERRALS', 'ID', 'ENABLE', 'IDLE', 'LITERAL+', 'STARTTLS', 'LOGINDISABLED']);
    expect(r.sasl!.beforeTls).toEqual([]);
    expect(r.capabilities!.afterTls).toEqual(['IMAP4rev1', 'SASL-IR', 'LOGIN-REFERRALS', 'ID', 'ENABLE', 'IDLE', 'LITERAL+', 'AUTH=PLAIN', 'AUTH=LOGIN']);
    expect(r.sasl!.afterTls).toEqual(['PLAIN', 'LOGIN']);
    expect(r.tls!.version).toBe('TLSv1.2');
    expect(r.tls!.completed).toBe(true);
    expectChain(r);
  });

  it('plaintext auth allowed: AUTH=PLAIN AUTH=LOGIN before TLS, no LOGINDISABLED; TLS 1.3', async () => {
    const r = valid(await run(imap, plaintext.ip, plaintext.ports.imap, 'imap'));
    expect(r.status).toBe('success');
    expect(r.capabilities!.beforeTls).toContain('STARTTLS');
    expect(r.capabilities!.beforeTls).not.toContain('LOGINDISABLED');
    expect(r.sasl!.beforeTls).toEqual(['PLAIN', 'LOGIN']);
    expect(r.sasl!.afterTls).toEqual(['PLAIN', 'LOGIN']);
    expect(r.capabilities!.afterTls).not.toContain('STARTTLS');
    expect(r.tls!.version).toBe('TLSv1.3');
    expectChain(r);
  });

  it('CRAM-MD5 alone before TLS, all three in configured order after', async () => {
    const r = valid(await run(imap, cram.ip, cram.ports.imap, 'imap'));
    expect(r.status).toBe('success');
    expect(r.capabilities!.beforeTls).toContain('LOGINDISABLED');
    expect(r.sasl!.beforeTls).toEqual(['CRAM-MD5']);
    expect(r.sasl!.afterTls).toEqual(['CRAM-MD5', 'PLAIN', 'LOGIN']);
    expect(r.starttls?.upgraded).toBe(true);
  });

  it('IMAPS: capabilities after the implicit handshake only', async () => {
    const r = valid(await run(imaps, strict.ip, strict.ports.imaps, 'imap'));
    expect(r.status).toBe('success');
    expect(r.mode).toBe('implicit');
    expect(r.banner).toMatch(/Dovecot/);
    expect(r.starttls).toBeUndefined();
    expect(r.capabilities!.beforeTls).toBeUndefined();
    expect(r.capabilities!.afterTls).toContain('AUTH=PLAIN');
    expect(r.capabilities!.afterTls).not.toContain('LOGINDISABLED');
    expect(r.sasl!.afterTls).toEqual(['PLAIN', 'LOGIN']);
    expect(r.tls!.version).toBe('TLSv1.2');
    expectChain(r);
  });

  it('no TLS configured: STARTTLS not offered, never sent', async () => {
    const r = valid(await run(imap, noTls.ip, noTls.ports.imap, 'imap'));
    expect(r.status).toBe('no-starttls');
    expect(r.starttls).toEqual({ offered: false, upgraded: false });
    expect(r.capabilities!.beforeTls).not.toContain('STARTTLS');
    expect(r.sasl!.beforeTls).toEqual(['PLAIN', 'LOGIN']);
    expect(r.tls).toBeUndefined();
  });

  it('unusable certificate: OK to STARTTLS (upgraded: accepted), then a plaintext BYE; no handshake completes', async () => {
    const r = valid(await run(imap, badCert.ip, badCert.ports.imap, 'imap'));
    // "* BYE [UNAVAILABLE] TLS initialization failed." follows the OK: seen before the
    // ClientHello (injection hazard) or by the handshake (not TLS), depending on timing.
    expect(['protocol-error', 'tls-failed']).toContain(r.status);
    expect(r.starttls).toEqual({ offered: true, upgraded: true, reply: 'W001 OK Begin TLS negotiation now.' });
    expect(r.tls?.completed ?? false).toBe(false);
    expect(r.capabilities!.afterTls).toBeUndefined();
  });
});

describe.runIf(ready).each(ENGINES)('POP3 against Dovecot (%s engine)', (_name, makeEngine) => {
  beforeAll(() => {
    engine = makeEngine;
  });

  it('STLS offered, no SASL mechanism before TLS with plaintext disabled, PLAIN LOGIN after; TLS 1.2', async () => {
    const r = valid(await run(pop3, strict.ip, strict.ports.pop3, 'pop3'));
    expect(r.status).toBe('success');
    expect(r.banner).toBe('+OK Dovecot (Debian) ready.');
    expect(r.starttls).toEqual({ offered: true, upgraded: true, reply: '+OK Begin TLS negotiation now.' });
    expect(r.capabilities!.beforeTls).toContain('STLS');
    expect(r.sasl!.beforeTls).toEqual([]);
    expect(r.capabilities!.afterTls).not.toContain('STLS');
    expect(r.capabilities!.afterTls).toContain('SASL PLAIN LOGIN');
    expect(r.sasl!.afterTls).toEqual(['PLAIN', 'LOGIN']);
    expect(r.tls!.version).toBe('TLSv1.2');
    expectChain(r);
  });

  it('plaintext allowed: USER and SASL PLAIN LOGIN before TLS; TLS 1.3', async () => {
    const r = valid(await run(pop3, plaintext.ip, plaintext.ports.pop3, 'pop3'));
    expect(r.status).toBe('success');
    expect(r.capabilities!.beforeTls).toContain('USER');
    expect(r.sasl!.beforeTls).toEqual(['PLAIN', 'LOGIN']);
    expect(r.tls!.version).toBe('TLSv1.3');
    expectChain(r);
  });

  it('CRAM-MD5 before TLS', async () => {
    const r = valid(await run(pop3, cram.ip, cram.ports.pop3, 'pop3'));
    expect(r.status).toBe('success');
    expect(r.sasl!.beforeTls).toEqual(['CRAM-MD5']);
    expect(r.sasl!.afterTls).toEqual(['CRAM-MD5', 'PLAIN', 'LOGIN']);
  });

  it('POP3S: CAPA after the implicit handshake', async () => {
    const r = valid(await run(pop3s, plaintext.ip, plaintext.ports.pop3s, 'pop3'));
    expect(r.status).toBe('success');
    expect(r.mode).toBe('implicit');
    expect(r.capabilities!.afterTls).toContain('SASL PLAIN LOGIN');
    expect(r.sasl!.afterTls).toEqual(['PLAIN', 'LOGIN']);
    expect(r.tls!.version).toBe('TLSv1.3');
    expectChain(r);
  });

  it('no TLS configured: STLS not offered', async () => {
    const r = valid(await run(pop3, noTls.ip, noTls.ports.pop3, 'pop3'));
    expect(r.status).toBe('no-starttls');
    expect(r.starttls).toEqual({ offered: false, upgraded: false });
    expect(r.capabilities!.beforeTls).not.toContain('STLS');
  });

  it('unusable certificate: +OK to STLS (upgraded: accepted), then a plaintext -ERR; no handshake completes', async () => {
    const r = valid(await run(pop3, badCert.ip, badCert.ports.pop3, 'pop3'));
    expect(['protocol-error', 'tls-failed']).toContain(r.status);
    expect(r.starttls).toEqual({ offered: true, upgraded: true, reply: '+OK Begin TLS negotiation now.' });
    expect(r.tls?.completed ?? false).toBe(false);
  });
});
