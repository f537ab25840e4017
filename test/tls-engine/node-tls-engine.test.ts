import { readFileSync } from 'node:fs';
import { createServer as createTcpServer, connect, type Server as TcpServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ByteBudget, Connection, NodeTlsEngine, dialTcp, resolveProfile, runProbe, silentLogger, type ServiceSpec, type TlsHandshakeOptions } from '@wildtls/core';
import { removeDir, startForeground, tempDir, waitForPort, type Daemon } from '../harness/daemon.js';
import { probeSettings } from '../harness/probe-settings.js';
import { makePki, type TestPki } from './pki.js';
import { listenOn } from '../harness/listen.js';

/*
 * `--engine node` records only what node:tls did, against real servers on
 * 127.0.43.10-16: Node's tls.Server (TLS 1.2 ECDHE-RSA; one that streams data
 * after the handshake), openssl s_server with a suite our name table lacks
 * (ARIA), a byte-counting relay in front of the first, and a silent listener.
 */
const HOST = {
  ecdhe: '127.0.43.10',
  relay: '127.0.43.11',
  aria: '127.0.43.12',
  silent: '127.0.43.13',
  flood: '127.0.43.14',
} as const;
const PORT = 4433;
const OPENSSL = '/usr/bin/openssl';

let pki: TestPki;
const servers: Array<Server | TcpServer> = [];
const sockets = new Set<Socket>();
let sslServer: Daemon | undefined;
/** Bytes the relay passed from the server to the client, per connection (by client port). */
const relayed = new Map<number, number>();

async function listen(s: Server | TcpServer, host: string): Promise<void> {
  servers.push(s);
  s.on('connection', (c: Socket) => {
    sockets.add(c);
    c.on('close', () => sockets.delete(c));
    c.on('error', () => {});
  });
  await listenOn(s, PORT, host);
}

beforeAll(async () => {
  pki = makePki(tempDir('node-engine'));
  const f = (n: string) => readFileSync(join(pki.dir, n));
  const tlsServer = (opts: Record<string, unknown>, onSecure: (s: Socket) => void = () => {}) => {
    const s = createServer({ key: f('rsa.key'), cert: f('rsa-chain.crt'), ...opts }, onSecure);
    s.on('tlsClientError', () => {});
    return s;
  };
  await listen(tlsServer({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' }, (s) => s.on('data', (d) => s.write(d))), HOST.ecdhe);
  // Asked after the handshake: 64 KiB of application data, for the byte cap on the returned stream.
  await listen(tlsServer({ maxVersion: 'TLSv1.2' }, (s) => s.once('data', () => s.write(Buffer.alloc(64 * 1024, 0x61)))), HOST.flood);
  await listen(createTcpServer(() => {}), HOST.silent);
  await listen(
    createTcpServer((client) => {
      const upstream = connect({ host: HOST.ecdhe, port: PORT });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      client.on('data', (d) => upstream.write(d));
      upstream.on('data', (d) => {
        relayed.set(client.remotePort!, (relayed.get(client.remotePort!) ?? 0) + d.length);
        client.write(d);
      });
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    }),
    HOST.relay,
  );
  sslServer = startForeground(OPENSSL, ['s_server', '-accept', `${HOST.aria}:${PORT}`, '-cert', 'rsa.crt', '-key', 'rsa.key', '-no_tls1_3', '-cipher', 'ARIA128-GCM-SHA256', '-www', '-quiet'], { cwd: pki.dir });
  await waitForPort(HOST.aria, PORT);
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await sslServer?.stop();
  if (pki) removeDir(pki.dir);
});

async function handshake(host: string, opts: Partial<TlsHandshakeOptions> = {}) {
  const socket = await dialTcp(host, PORT, { timeoutMs: 2000 });
  socket.on('error', () => {});
  const t0 = Date.now();
  const r = await new NodeTlsEngine().handshake(socket, { profile: resolveProfile('modern', {}), observeOnly: false, readTimeoutMs: 2000, maxBytes: 1 << 20, ...opts });
  return { ...r, socket, ms: Date.now() - t0, localPort: (socket as unknown as { localPort?: number }).localPort };
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('NodeTlsEngine records what node:tls did', () => {
  it('tls.profile says node:tls, whatever profile the ladder asked for, and runProbe keeps it', async () => {
    const spec: ServiceSpec = { name: 'tls', mode: 'implicit', defaultPort: PORT, dialog: async () => 'success' };
    const settings = probeSettings({ ladder: [resolveProfile('modern', {})] });
    const r = await runProbe({ target: { ip: HOST.ecdhe, port: PORT, service: 'tls' }, protocolId: 'tls', spec, options: {} }, new NodeTlsEngine(), settings, silentLogger());
    expect(r.status).toBe('success');
    expect(r.tls).toMatchObject({ profile: 'node:tls', fallbackStep: 0, completed: true });
  });

  it('the IANA suite id: from the name when our table knows it', async () => {
    const r = await handshake(HOST.ecdhe);
    expect(r.info.cipherSuite).toEqual({ id: 0xc02f, name: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' });
    expect(r.info.keyExchange).toMatchObject({ kind: 'ECDHE' });
    r.stream?.destroy();
  });

  it('the IANA suite id: read from the ServerHello when our table lacks the name (ARIA, 0xC050)', async () => {
    const r = await handshake(HOST.aria);
    expect(r.info.error, sslServer?.output()).toBeUndefined();
    expect(r.info.cipherSuite).toEqual({ id: 0xc050, name: 'TLS_RSA_WITH_ARIA_128_GCM_SHA256' });
    expect(r.info.keyExchange).toEqual({ kind: 'other' });
    r.stream?.destroy();
  });

  it('observe-only: node:tls completed the handshake, so completed is true; no stream is kept and the socket is closed', async () => {
    const r = await handshake(HOST.ecdhe, { observeOnly: true });
    expect(r.info).toMatchObject({ completed: true, version: 'TLSv1.2', profile: 'node:tls' });
    expect(r.info.notCompletedReason).toBeUndefined();
    expect(r.stream).toBeUndefined();
    await until(() => r.socket.destroyed);
  });
});

describe('NodeTlsEngine honours the byte cap and the abort signal', () => {
  it('a handshake over maxBytes fails as a protocol error', async () => {
    const r = await handshake(HOST.ecdhe, { maxBytes: 300 });
    expect(r.info.completed).toBe(false);
    expect(r.info.error).toMatchObject({ kind: 'protocol', message: 'server sent more than 300 bytes during the handshake' });
    expect(r.stream).toBeUndefined();
  });

  it('every raw byte the server sent is charged to the shared budget, before and after the handshake', async () => {
    const budget = new ByteBudget(1 << 20);
    budget.charge(100); // what a plaintext dialog read before
    const r = await handshake(HOST.relay, { budget });
    expect(r.info.completed).toBe(true);
    const stream = r.stream!;
    const echoed = new Promise<void>((res) => stream.on('data', () => res()));
    stream.write('ping\n');
    await echoed;
    await until(() => budget.used === 100 + (relayed.get(r.localPort!) ?? -1));
    expect(relayed.get(r.localPort!)).toBeGreaterThan(1000);
    stream.destroy();
  });

  it('after the handshake, passing the budget ends reads with protocol-error / reply-too-large', async () => {
    const r = await handshake(HOST.flood, { budget: new ByteBudget(16 * 1024) });
    expect(r.info.completed).toBe(true);
    const conn = new Connection(r.stream!, { readTimeoutMs: 2000, maxLineBytes: 1 << 20, maxTotalBytes: 1 << 20 });
    await conn.write('send\n');
    const drain = async () => {
      for (;;) await conn.readChunk();
    };
    await expect(drain()).rejects.toMatchObject({ status: 'protocol-error', reason: 'reply-too-large' });
    conn.destroy();
  });

  it('an aborted probe ends the handshake at once as a timeout', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const r = await handshake(HOST.silent, { signal: ac.signal, readTimeoutMs: 5000 });
    expect(r.info.error).toMatchObject({ kind: 'timeout', message: 'probe deadline passed during the handshake' });
    expect(r.ms).toBeLessThan(1000);
    await until(() => r.socket.destroyed);
  });

  it('a silent server is a read timeout', async () => {
    const r = await handshake(HOST.silent, { readTimeoutMs: 200 });
    expect(r.info.error).toMatchObject({ kind: 'timeout' });
    expect(r.ms).toBeLessThan(2000);
  });
});
