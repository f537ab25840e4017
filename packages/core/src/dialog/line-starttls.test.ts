import { describe, expect, it, afterEach, vi } from 'vitest';
import type { Connection } from '../net/connection.js';
import type { ServiceSpec } from '../plugin/api.js';
import { selfSignedCertificate } from '../testing/certificates.js';
import { runDialogAgainst } from '../testing/run-dialog.js';
import { startScriptedServer, type ScriptedServer } from '../testing/scripted-server.js';
import { readReply } from './read-reply.js';
import { runLineStartTls, type LineStartTlsSpec } from './line-starttls.js';

const spec: LineStartTlsSpec = {
  readGreeting: (c: Connection) => readReply(c, () => true),
  requestCapabilities: async (c) => {
    await c.write('CAPS\r\n');
    return readReply(c, (l) => l === '.', { maxLines: 20 });
  },
  parseCapabilities: (lines) => {
    const caps = lines.filter((l) => l !== '.');
    return { capabilities: caps, sasl: caps.filter((c) => c.startsWith('AUTH ')).flatMap((c) => c.slice(5).split(' ')), startTls: caps.includes('STARTTLS') };
  },
  requestStartTls: async (c) => {
    await c.write('STARTTLS\r\n');
    return readReply(c, () => true);
  },
  startTlsAccepted: (lines) => lines[0]!.startsWith('+GO'),
  quit: (c) => c.write('BYE\r\n'),
};
const service: ServiceSpec = { name: 'hello', defaultPort: 7777, mode: 'starttls', dialog: (ctx) => runLineStartTls(ctx, spec) };

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('runLineStartTls', () => {
  it('asks for capabilities, upgrades, and asks again on the same connection', async () => {
    const cert = await selfSignedCertificate({ keyType: 'ec' });
    server = await startScriptedServer({
      tls: cert,
      script: [
        { send: '+HELLO test server\r\n' },
        { expect: 'CAPS' },
        { send: 'STARTTLS\r\nAUTH PLAIN\r\n.\r\n' },
        { expect: 'STARTTLS' },
        { send: '+GO ahead\r\n' },
        { startTls: true },
        { expect: 'CAPS' },
        { send: 'AUTH PLAIN SCRAM-SHA-256\r\n.\r\n' },
        { expect: 'BYE' },
      ],
    });
    const r = await runDialogAgainst({ port: server.port, spec: service });
    expect(r.status).toBe('success');
    expect(r.banner).toBe('+HELLO test server');
    expect(r.starttls).toEqual({ offered: true, upgraded: true, reply: '+GO ahead' });
    expect(r.capabilities).toEqual({ beforeTls: ['STARTTLS', 'AUTH PLAIN'], afterTls: ['AUTH PLAIN SCRAM-SHA-256'] });
    expect(r.sasl).toEqual({ beforeTls: ['PLAIN'], afterTls: ['PLAIN', 'SCRAM-SHA-256'] });
    expect(r.tls?.completed).toBe(true);
    expect(Buffer.from(r.tls!.chain[0]!, 'base64').equals(cert.der)).toBe(true);
    await vi.waitFor(() => expect(server!.received[0]).toEqual(['CAPS', 'STARTTLS', 'CAPS', 'BYE']));
  });

  it('never sends STARTTLS when it is not offered', async () => {
    server = await startScriptedServer({ script: [{ send: '+HELLO\r\n' }, { expect: 'CAPS' }, { send: 'AUTH PLAIN\r\n.\r\n' }, { expect: 'BYE' }] });
    const r = await runDialogAgainst({ port: server.port, spec: service });
    expect(r.status).toBe('no-starttls');
    expect(r.starttls).toEqual({ offered: false, upgraded: false });
    expect(server.received[0]).not.toContain('STARTTLS');
  });

  it('records the exact refusal', async () => {
    server = await startScriptedServer({
      script: [{ send: '+HELLO\r\n' }, { expect: 'CAPS' }, { send: 'STARTTLS\r\n.\r\n' }, { expect: 'STARTTLS' }, { send: '-NO TLS not available now\r\n' }, { expect: 'BYE' }],
    });
    const r = await runDialogAgainst({ port: server.port, spec: service });
    expect(r.status).toBe('starttls-refused');
    expect(r.starttls).toEqual({ offered: true, upgraded: false, reply: '-NO TLS not available now' });
  });

  it('ignores a goodbye that fails, by a rejected promise or by a throw: the status stays what the dialog found', async () => {
    const host = '127.0.100.1';
    const failing: Array<LineStartTlsSpec['quit']> = [
      () => Promise.reject(new Error('the goodbye failed')),
      () => {
        throw new Error('the goodbye threw');
      },
    ];
    for (const quit of failing) {
      const s = await startScriptedServer({ host, script: [{ send: '+HELLO\r\n' }, { expect: 'CAPS' }, { send: 'AUTH PLAIN\r\n.\r\n' }] });
      try {
        const dialog: ServiceSpec['dialog'] = (ctx) => runLineStartTls(ctx, { ...spec, quit });
        const r = await runDialogAgainst({ host, port: s.port, spec: { ...service, dialog } });
        expect(r.status).toBe('no-starttls');
        expect(r.error).toBeUndefined();
        expect(r.sasl).toEqual({ beforeTls: ['PLAIN'] });
      } finally {
        await s.close();
      }
    }
  });

  it('classifies plaintext garbage after the go-ahead as a TLS failure and keeps what it learnt', async () => {
    server = await startScriptedServer({
      script: [{ send: '+HELLO\r\n' }, { expect: 'CAPS' }, { send: 'STARTTLS\r\n.\r\n' }, { expect: 'STARTTLS' }, { send: '+GO\r\n' }, { expect: /.*/ }, { send: 'this is not TLS at all\r\n'.repeat(4) }],
    });
    const r = await runDialogAgainst({ port: server.port, spec: service, readTimeoutMs: 1000 });
    expect(r.status).toBe('tls-failed');
    expect(r.capabilities?.beforeTls).toEqual(['STARTTLS']);
    // The server accepted STARTTLS (upgraded); the handshake then failed (tls.completed false).
    expect(r.starttls).toEqual({ offered: true, upgraded: true, reply: '+GO' });
    expect(r.tls).toMatchObject({ completed: false, error: { kind: 'protocol' } });
  });

  it('accepted, then data before our ClientHello (injection hazard): upgraded, then protocol-error without a handshake', async () => {
    server = await startScriptedServer({
      script: [{ send: '+HELLO\r\n' }, { expect: 'CAPS' }, { send: 'STARTTLS\r\n.\r\n' }, { expect: 'STARTTLS' }, { send: '+GO\r\nAUTH PLAIN\r\n' }],
    });
    const r = await runDialogAgainst({ port: server.port, spec: service, readTimeoutMs: 1000 });
    expect(r.status).toBe('protocol-error');
    expect(r.error?.reason).toBe('unexpected-reply');
    expect(r.starttls).toEqual({ offered: true, upgraded: true, reply: '+GO' });
    expect(r.tls).toBeUndefined();
  });

  it('observe-only: accepted and the ServerHello seen, handshake not completed, status success', async () => {
    const cert = await selfSignedCertificate({ keyType: 'ec' });
    server = await startScriptedServer({
      tls: cert,
      script: [{ send: '+HELLO\r\n' }, { expect: 'CAPS' }, { send: 'STARTTLS\r\n.\r\n' }, { expect: 'STARTTLS' }, { send: '+GO\r\n' }, { startTls: true }],
    });
    const r = await runDialogAgainst({ port: server.port, spec: service, observeOnly: true });
    expect(r.status).toBe('success');
    expect(r.starttls).toEqual({ offered: true, upgraded: true, reply: '+GO' });
    expect(r.tls).toMatchObject({ completed: false, notCompletedReason: 'observe-only' });
    expect(r.tls?.version).toBeDefined();
  });

  it('gives a classified status for a never-ending capability reply', async () => {
    server = await startScriptedServer({ script: [{ send: '+HELLO\r\n' }, { expect: 'CAPS' }, { send: 'X\r\n'.repeat(100) }] });
    const r = await runDialogAgainst({ port: server.port, spec: service });
    expect(r.status).toBe('protocol-error');
    expect(r.error?.reason).toBe('reply-too-large');
    expect(r.banner).toBe('+HELLO');
  });

  it('gives timeout for a silent server', async () => {
    server = await startScriptedServer({ script: [] });
    const r = await runDialogAgainst({ port: server.port, spec: service, readTimeoutMs: 150 });
    expect(r.status).toBe('timeout');
  });

  it('gives connect-failed for a closed port', async () => {
    server = await startScriptedServer({ script: [] });
    const port = server.port;
    await server.close();
    server = undefined;
    const r = await runDialogAgainst({ port, spec: service });
    expect(r.status).toBe('connect-failed');
    expect(r.error?.reason).toBe('connect-refused');
  });
});
