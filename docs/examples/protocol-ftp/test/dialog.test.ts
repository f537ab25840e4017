/**
 * The FTP dialog against recorded transcripts. The first one is vsftpd 3.0.3
 * (Debian 12) with ssl_enable=YES, recorded on loopback; the others are the
 * refusals and odd servers the dialog must classify. test/authoring in the
 * wildtls repository runs the same plugin against a real vsftpd.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runDialogAgainst, selfSignedCertificate, startScriptedServer, type ScriptStep, type ScriptedServer } from '@wildtls/core/testing';
import plugin from '../src/index.js';

const ftp = plugin.services.find((s) => s.name === 'ftp')!;
const ftps = plugin.services.find((s) => s.name === 'ftps')!;
const VSFTPD_FEAT = '211-Features:\r\n AUTH TLS\r\n EPRT\r\n MDTM\r\n PBSZ\r\n PROT\r\n REST STREAM\r\n SIZE\r\n TVFS\r\n211 End\r\n';
const VSFTPD_FEATURES = ['AUTH TLS', 'EPRT', 'MDTM', 'PBSZ', 'PROT', 'REST STREAM', 'SIZE', 'TVFS'];

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function run(script: ScriptStep[], opts: { spec?: typeof ftp; implicitTls?: boolean; maxReplyLines?: number } = {}) {
  const cert = await selfSignedCertificate({ keyType: 'ec' });
  server = await startScriptedServer({ tls: cert, script, implicitTls: opts.implicitTls });
  const record = await runDialogAgainst({ port: server.port, spec: opts.spec ?? ftp, options: { maxReplyLines: opts.maxReplyLines ?? 256 } });
  return { record, cert, received: server.received };
}

describe('ftp dialog', () => {
  it('vsftpd: FEAT, AUTH TLS, 234, handshake, FEAT again over TLS, QUIT', async () => {
    const { record, cert, received } = await run([
      { send: '220 (vsFTPd 3.0.3)\r\n' },
      { expect: 'FEAT' },
      { send: VSFTPD_FEAT },
      { expect: 'AUTH TLS' },
      { send: '234 Proceed with negotiation.\r\n' },
      { startTls: true },
      { expect: 'FEAT' },
      { send: VSFTPD_FEAT },
      { expect: 'QUIT' },
      { send: '221 Goodbye.\r\n' },
    ]);
    expect(record.status).toBe('success');
    expect(record.banner).toBe('220 (vsFTPd 3.0.3)');
    expect(record.starttls).toEqual({ offered: true, upgraded: true, reply: '234 Proceed with negotiation.' });
    expect(record.capabilities).toEqual({ beforeTls: VSFTPD_FEATURES, afterTls: VSFTPD_FEATURES });
    expect(record.tls?.completed).toBe(true);
    expect(Buffer.from(record.tls!.chain[0]!, 'base64').equals(cert.der)).toBe(true);
    expect(received[0]).toEqual(['FEAT', 'AUTH TLS', 'FEAT', 'QUIT']);
    expect(record.ftp).toEqual({ featSupported: true });
  });

  it('never sends AUTH TLS when FEAT does not offer it', async () => {
    const { record, received } = await run([
      { send: '220 (vsFTPd 3.0.3)\r\n' },
      { expect: 'FEAT' },
      { send: '211-Features:\r\n EPRT\r\n EPSV\r\n MDTM\r\n PASV\r\n211 End\r\n' },
      { expect: 'QUIT' },
      { send: '221 Goodbye.\r\n' },
    ]);
    expect(record.status).toBe('no-starttls');
    expect(record.starttls).toEqual({ offered: false, upgraded: false });
    expect(record.capabilities).toEqual({ beforeTls: ['EPRT', 'EPSV', 'MDTM', 'PASV'] });
    expect(received[0]).toEqual(['FEAT', 'QUIT']);
  });

  it('treats a server without FEAT (500) as not offering AUTH TLS', async () => {
    const { record } = await run([
      { send: '220 old ftpd\r\n' },
      { expect: 'FEAT' },
      { send: "500 'FEAT': command not understood.\r\n" },
      { expect: 'QUIT' },
      { send: '221 bye\r\n' },
    ]);
    expect(record.status).toBe('no-starttls');
    expect(record.capabilities).toEqual({ beforeTls: [] });
    expect(record.ftp).toEqual({ featSupported: false });
  });

  it.each([
    ['500 AUTH not understood'],
    ['502 Command not implemented.'],
    ['530 Please login with USER and PASS.'],
    ['534 Request denied for policy reasons.'],
    ['431 Unable to accept security mechanism.'],
  ])('records the refusal %j', async (reply) => {
    const { record } = await run([
      { send: '220 ready\r\n' },
      { expect: 'FEAT' },
      { send: '211-Extensions supported:\r\n AUTH TLS;TLS-C;SSL\r\n PBSZ\r\n211 END\r\n' },
      { expect: 'AUTH TLS' },
      { send: `${reply}\r\n` },
      { expect: 'QUIT' },
      { send: '221 bye\r\n' },
    ]);
    expect(record.status).toBe('starttls-refused');
    expect(record.starttls).toEqual({ offered: true, upgraded: false, reply });
    expect(record.capabilities?.beforeTls).toEqual(['AUTH TLS;TLS-C;SSL', 'PBSZ']);
  });

  it('reads a multi-line banner and a 120 delay notice', async () => {
    const { record } = await run([
      { send: '120 Service ready in 1 minute.\r\n220-Welcome\r\n220-to this server\r\n220 ready\r\n' },
      { expect: 'FEAT' },
      { send: '211 no features\r\n' },
      { expect: 'QUIT' },
      { send: '221 bye\r\n' },
    ]);
    expect(record.status).toBe('no-starttls');
    expect(record.banner).toBe('120 Service ready in 1 minute.\n220-Welcome\n220-to this server\n220 ready');
  });

  it('classifies a 421 greeting as a refused session', async () => {
    const { record } = await run([{ send: '421 Too many connections.\r\n' }]);
    expect(record.status).toBe('protocol-error');
    expect(record.error?.reason).toBe('unexpected-reply');
    expect(record.banner).toBe('421 Too many connections.');
  });

  it('classifies a non-FTP greeting as malformed', async () => {
    const { record } = await run([{ send: 'SSH-2.0-OpenSSH_9.2\r\n' }]);
    expect(record.status).toBe('protocol-error');
    expect(record.error?.reason).toBe('malformed-reply');
  });

  it('gives a classified status for a never-ending FEAT reply', async () => {
    const { record } = await run([{ send: '220 ready\r\n' }, { expect: 'FEAT' }, { send: '211-Features:\r\n' + ' X\r\n'.repeat(50) }], { maxReplyLines: 10 });
    expect(record.status).toBe('protocol-error');
    expect(record.error?.reason).toBe('reply-too-large');
  });

  it('ftps (implicit TLS): FEAT is read over TLS', async () => {
    const { record } = await run(
      [{ send: '220 (vsFTPd 3.0.3)\r\n' }, { expect: 'FEAT' }, { send: VSFTPD_FEAT }, { expect: 'QUIT' }, { send: '221 Goodbye.\r\n' }],
      { spec: ftps, implicitTls: true },
    );
    expect(record.status).toBe('success');
    expect(record.mode).toBe('implicit');
    expect(record.capabilities).toEqual({ afterTls: VSFTPD_FEATURES });
    expect(record.tls?.completed).toBe(true);
  });
});
