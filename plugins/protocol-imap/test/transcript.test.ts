import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runDialogAgainst, selfSignedCertificate, startScriptedServer, type ScriptedServer, type TestCertificate } from '@wildtls/core/testing';
import plugin from '../src/index.js';
import { expectedCommands, loadTranscript } from './fixture.js';

const [imap, imaps] = plugin.services;
let cert: TestCertificate;
let server: ScriptedServer | undefined;

beforeAll(async () => {
  cert = await selfSignedCertificate({ commonName: 'mail.wildtls.test', keyType: 'ec' });
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function replay(name: string, implicitTls = false) {
  const t = loadTranscript(name);
  server = await startScriptedServer({ script: t.steps, tls: cert, implicitTls });
  return { t, server };
}

describe('IMAP transcripts recorded from Dovecot 2.3', () => {
  it('STARTTLS with capabilities from the greeting, CAPABILITY after TLS, LOGOUT', async () => {
    const { t, server } = await replay('dovecot-imap-starttls');
    const r = await runDialogAgainst({ port: server.port, spec: imap!, protocolId: 'imap' });
    expect(r.status).toBe('success');
    expect(r.banner).toBe('* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS LOGINDISABLED AUTH=CRAM-MD5] Dovecot (Debian) ready.');
    expect(r.capabilities).toEqual({
      beforeTls: ['IMAP4rev1', 'SASL-IR', 'LOGIN-REFERRALS', 'ID', 'ENABLE', 'IDLE', 'LITERAL+', 'STARTTLS', 'LOGINDISABLED', 'AUTH=CRAM-MD5'],
      afterTls: ['IMAP4rev1', 'SASL-IR', 'LOGIN-REFERRALS', 'ID', 'ENABLE', 'IDLE', 'LITERAL+', 'AUTH=CRAM-MD5', 'AUTH=PLAIN', 'AUTH=LOGIN'],
    });
    expect(r.sasl).toEqual({ beforeTls: ['CRAM-MD5'], afterTls: ['CRAM-MD5', 'PLAIN', 'LOGIN'] });
    expect(r.starttls).toEqual({ offered: true, upgraded: true, reply: 'W001 OK Begin TLS negotiation now.' });
    expect(Buffer.from(r.tls!.chain[0]!, 'base64').equals(cert.der)).toBe(true);
    // Exactly the recorded commands: no LOGIN, no AUTHENTICATE, nothing else.
    expect(server.received[0]).toEqual(expectedCommands(t));
  });

  it('alwaysAskCapability sends CAPABILITY before STARTTLS too', async () => {
    const { t, server } = await replay('dovecot-imap-starttls-ask');
    const r = await runDialogAgainst({ port: server.port, spec: imap!, protocolId: 'imap', options: { alwaysAskCapability: true } });
    expect(r.status).toBe('success');
    expect(r.capabilities!.beforeTls).toContain('LOGINDISABLED');
    expect(r.sasl).toEqual({ beforeTls: ['CRAM-MD5'], afterTls: ['CRAM-MD5', 'PLAIN', 'LOGIN'] });
    expect(r.starttls).toEqual({ offered: true, upgraded: true, reply: 'W002 OK Begin TLS negotiation now.' });
    expect(server.received[0]).toEqual(expectedCommands(t));
  });

  it('IMAPS: the post-handshake greeting gives the capabilities', async () => {
    const { t, server } = await replay('dovecot-imaps', true);
    const r = await runDialogAgainst({ port: server.port, spec: imaps!, protocolId: 'imap' });
    expect(r.status).toBe('success');
    expect(r.mode).toBe('implicit');
    expect(r.starttls).toBeUndefined();
    expect(r.capabilities).toEqual({ afterTls: ['IMAP4rev1', 'SASL-IR', 'LOGIN-REFERRALS', 'ID', 'ENABLE', 'IDLE', 'LITERAL+', 'AUTH=CRAM-MD5', 'AUTH=PLAIN', 'AUTH=LOGIN'] });
    expect(r.sasl).toEqual({ afterTls: ['CRAM-MD5', 'PLAIN', 'LOGIN'] });
    expect(r.tls?.completed).toBe(true);
    expect(server.received[0]).toEqual(expectedCommands(t));
  });
});
