import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runDialogAgainst, selfSignedCertificate, startScriptedServer, type ScriptedServer, type TestCertificate } from '@wildtls/core/testing';
import plugin from '../src/index.js';
import { expectedCommands, loadTranscript } from './fixture.js';

const [pop3, pop3s] = plugin.services;
let cert: TestCertificate;
let server: ScriptedServer | undefined;

beforeAll(async () => {
  cert = await selfSignedCertificate({ commonName: 'mail.wildtls.test', keyType: 'ec' });
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const CAPA_BEFORE = ['CAPA', 'TOP', 'UIDL', 'RESP-CODES', 'PIPELINING', 'AUTH-RESP-CODE', 'STLS', 'SASL CRAM-MD5'];
const CAPA_AFTER = ['CAPA', 'TOP', 'UIDL', 'RESP-CODES', 'PIPELINING', 'AUTH-RESP-CODE', 'USER', 'SASL CRAM-MD5 PLAIN LOGIN'];

describe('POP3 transcripts recorded from Dovecot 2.3', () => {
  it('CAPA, STLS, CAPA after TLS, QUIT', async () => {
    const t = loadTranscript('dovecot-pop3-stls');
    server = await startScriptedServer({ script: t.steps, tls: cert });
    const r = await runDialogAgainst({ port: server.port, spec: pop3!, protocolId: 'pop3' });
    expect(r.status).toBe('success');
    expect(r.banner).toBe('+OK Dovecot (Debian) ready.');
    expect(r.capabilities).toEqual({ beforeTls: CAPA_BEFORE, afterTls: CAPA_AFTER });
    expect(r.sasl).toEqual({ beforeTls: ['CRAM-MD5'], afterTls: ['CRAM-MD5', 'PLAIN', 'LOGIN'] });
    expect(r.starttls).toEqual({ offered: true, upgraded: true, reply: '+OK Begin TLS negotiation now.' });
    expect(Buffer.from(r.tls!.chain[0]!, 'base64').equals(cert.der)).toBe(true);
    // Exactly the recorded commands: no USER, PASS, APOP or AUTH.
    expect(server.received[0]).toEqual(expectedCommands(t));
  });

  it('POP3S: CAPA after the implicit handshake', async () => {
    const t = loadTranscript('dovecot-pop3s');
    server = await startScriptedServer({ script: t.steps, tls: cert, implicitTls: true });
    const r = await runDialogAgainst({ port: server.port, spec: pop3s!, protocolId: 'pop3' });
    expect(r.status).toBe('success');
    expect(r.mode).toBe('implicit');
    expect(r.starttls).toBeUndefined();
    expect(r.capabilities).toEqual({ afterTls: CAPA_AFTER });
    expect(r.sasl).toEqual({ afterTls: ['CRAM-MD5', 'PLAIN', 'LOGIN'] });
    expect(server.received[0]).toEqual(expectedCommands(t));
  });
});
