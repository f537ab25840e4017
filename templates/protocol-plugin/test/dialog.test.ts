/**
 * The dialog against recorded transcripts: startScriptedServer replays what a
 * server said (send) and checks what the client said (expect), on loopback,
 * in milliseconds; runDialogAgainst runs the dialog through wildtls's real
 * probe path and returns the record a scan would write.
 *
 * FILL IN: replace the transcripts with ones recorded from a real server of
 * your protocol (e.g. `openssl s_client -starttls ...` or a packet capture),
 * and add the refusals and broken servers you meet in the wild.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runDialogAgainst, selfSignedCertificate, startScriptedServer, type ScriptedServer } from '@wildtls/core/testing';
import plugin from '../src/index.js';

const service = plugin.services[0]!;
let server: ScriptedServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('__NAME__ dialog', () => {
  it('reads the capabilities, upgrades with STARTTLS and reads them again over TLS', async () => {
    const cert = await selfSignedCertificate();
    server = await startScriptedServer({
      tls: cert,
      script: [
        { send: '220 example.test ready\r\n' },
        { expect: 'CAPA' },
        { send: 'STARTTLS\r\nAUTH PLAIN\r\n.\r\n' },
        { expect: 'STARTTLS' },
        { send: '220 go ahead\r\n' },
        { startTls: true },
        { expect: 'CAPA' },
        { send: 'AUTH PLAIN SCRAM-SHA-256\r\n.\r\n' },
        { expect: 'QUIT' },
        { send: '221 bye\r\n' },
      ],
    });
    const record = await runDialogAgainst({ port: server.port, spec: service, options: { maxReplyLines: 256 } });
    expect(record.status).toBe('success');
    expect(record.banner).toBe('220 example.test ready');
    expect(record.starttls).toEqual({ offered: true, upgraded: true, reply: '220 go ahead' });
    expect(record.capabilities).toEqual({ beforeTls: ['STARTTLS', 'AUTH PLAIN'], afterTls: ['AUTH PLAIN SCRAM-SHA-256'] });
    expect(record.sasl).toEqual({ beforeTls: ['PLAIN'], afterTls: ['PLAIN', 'SCRAM-SHA-256'] });
    expect(record.tls?.completed).toBe(true);
    // The leaf certificate in the record is the one the server presented.
    expect(Buffer.from(record.tls!.chain[0]!, 'base64').equals(cert.der)).toBe(true);
  });

  it('never sends STARTTLS when the server does not offer it', async () => {
    server = await startScriptedServer({
      script: [{ send: '220 ready\r\n' }, { expect: 'CAPA' }, { send: 'AUTH PLAIN\r\n.\r\n' }, { expect: 'QUIT' }, { send: '221 bye\r\n' }],
    });
    const record = await runDialogAgainst({ port: server.port, spec: service, options: { maxReplyLines: 256 } });
    expect(record.status).toBe('no-starttls');
    expect(record.starttls).toEqual({ offered: false, upgraded: false });
    expect(server.received[0]).toEqual(['CAPA', 'QUIT']);
  });

  it('records a refusal with the exact reply', async () => {
    server = await startScriptedServer({
      script: [{ send: '220 ready\r\n' }, { expect: 'CAPA' }, { send: 'STARTTLS\r\n.\r\n' }, { expect: 'STARTTLS' }, { send: '454 TLS not available\r\n' }, { expect: 'QUIT' }, { send: '221 bye\r\n' }],
    });
    const record = await runDialogAgainst({ port: server.port, spec: service, options: { maxReplyLines: 256 } });
    expect(record.status).toBe('starttls-refused');
    expect(record.starttls).toEqual({ offered: true, upgraded: false, reply: '454 TLS not available' });
  });

  it('classifies a server that is not speaking __NAME__', async () => {
    server = await startScriptedServer({ script: [{ send: 'SSH-2.0-OpenSSH_9.2\r\n' }] });
    const record = await runDialogAgainst({ port: server.port, spec: service, options: { maxReplyLines: 256 } });
    expect(record.status).toBe('protocol-error');
    expect(record.banner).toBe('SSH-2.0-OpenSSH_9.2');
  });
});
