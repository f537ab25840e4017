import { createServer, type Server, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawTlsEngine, resolveProfile, runProbe, silentLogger, type ServiceSpec } from '@wildtls/core';
import { selfSignedCertificate } from '@wildtls/core/testing';
import { probeSettings } from '../harness/probe-settings.js';
import { listenOn } from '../harness/listen.js';

/**
 * The raw engine under a STARTTLS dialog, through the kernel's probe path: a
 * line protocol upgrades in place and keeps talking on the same TCP
 * connection after the handshake (EHLO-style), over the decrypted stream.
 */
const HOST = '127.0.20.80';

describe('STARTTLS on the same connection with the raw engine', () => {
  let server: Server;
  let port = 0;
  let seenAfterTls: string[] = [];
  beforeAll(async () => {
    const cert = await selfSignedCertificate({ commonName: 'localhost', keyType: 'ec' });
    server = createServer((raw: Socket) => {
      raw.on('error', () => {});
      raw.write('220 ready\r\n');
      raw.once('data', (d) => {
        if (!d.toString().startsWith('STARTTLS')) return void raw.end('500 no\r\n');
        raw.write('220 go ahead\r\n', () => {
          const tls = new TLSSocket(raw, { isServer: true, key: cert.keyPem, cert: cert.certPem });
          tls.on('error', () => {});
          let buf = '';
          tls.on('data', (x: Buffer) => {
            buf += x.toString();
            let i: number;
            while ((i = buf.indexOf('\r\n')) >= 0) {
              const line = buf.slice(0, i);
              buf = buf.slice(i + 2);
              seenAfterTls.push(line);
              if (line.startsWith('EHLO')) tls.write('250-hello over tls\r\n250 AUTH PLAIN LOGIN\r\n');
              else if (line === 'QUIT') tls.end('221 bye\r\n');
            }
          });
        });
      });
    });
    await listenOn(server, 0, HOST);
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const spec: ServiceSpec = {
    name: 'line-test',
    defaultPort: 25,
    mode: 'starttls',
    dialog: async (ctx) => {
      await ctx.conn.readLine();
      await ctx.conn.write('STARTTLS\r\n');
      await ctx.conn.readLine();
      const outcome = await ctx.startTls();
      if (!outcome.completed) return 'success';
      await ctx.conn.write('EHLO scanner.test\r\n');
      const lines = [await ctx.conn.readLine(), await ctx.conn.readLine()];
      (ctx.record as Record<string, unknown>).banner = lines.join('\n');
      await ctx.conn.write('QUIT\r\n');
      await ctx.conn.readLine();
      return 'success';
    },
  };

  for (const profile of ['modern', 'compat']) {
    it(`${profile}: handshake, then EHLO and QUIT over the decrypted stream`, async () => {
      seenAfterTls = [];
      const r = await runProbe(
        { target: { ip: HOST, port, service: 'line-test' }, protocolId: 'line-test', spec, options: {} },
        new RawTlsEngine(),
        probeSettings({ ladder: [resolveProfile(profile)], sni: true }),
        silentLogger(),
      );
      expect(r.status).toBe('success');
      expect(r.tls).toMatchObject({ completed: true, version: profile === 'modern' ? 'TLSv1.3' : 'TLSv1.2' });
      expect(r.banner).toBe('250-hello over tls\n250 AUTH PLAIN LOGIN');
      expect(seenAfterTls).toEqual(['EHLO scanner.test', 'QUIT']);
    });
  }
});
