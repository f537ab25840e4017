import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../../../../test/harness/daemon.js';
import { probeSettings } from '../../../../test/harness/probe-settings.js';
import { makePki, type TestPki } from '../../../../test/tls-engine/pki.js';
import { silentLogger } from '../../src/log/logger.js';
import type { ServiceSpec } from '../../src/plugin/api.js';
import { runProbe, type ProbeSettings } from '../../src/probe/run-probe.js';
import type { HandshakeDeadline, TlsEngine, TlsHandshakeOptions, TlsHandshakeResult } from '../../src/tls/engine.js';
import { dialTcp } from '../../src/net/dial.js';
import { resolveProfile } from '../../src/tls/profiles.js';
import { NodeTlsEngine } from '../../src/tls/node-tls-engine.js';
import { RawTlsEngine } from '../../src/tls/raw-tls-engine.js';
import { listenOn } from '../../../../test/harness/listen.js';
import { HeldSockets } from '../../../../test/harness/held-sockets.js';

/*
 * The probe deadline against a real server on 127.0.101.1 that accepts and never says a word (a
 * TLS server that never answers the ClientHello, a line server that never greets). The read
 * timeout is far beyond the test's own, so only the probe deadline can end the handshake in time.
 * The engines in core watch the probe's deadline without an AbortSignal; the signal is made only
 * for a dialog that asks for ctx.signal, or for an engine that does not watch the deadline.
 */
const HOST = '127.0.101.1';
/** A TLS 1.3 server that completes the handshake, then says nothing. */
const TLS_HOST = '127.0.101.2';
const PORT = 4433;

let server: Server;
let tlsServer: TlsServer;
let pki: TestPki;
const sockets = new HeldSockets();

beforeAll(async () => {
  server = createServer((s) => sockets.track(s));
  await listenOn(server, PORT, HOST);
  pki = makePki(tempDir('probe-deadline'));
  tlsServer = createTlsServer({ key: readFileSync(`${pki.dir}/rsa.key`), cert: readFileSync(`${pki.dir}/rsa-chain.crt`), minVersion: 'TLSv1.3' });
  tlsServer.on('connection', (s: Socket) => sockets.track(s));
  tlsServer.on('tlsClientError', () => {});
  await listenOn(tlsServer, PORT, TLS_HOST);
});

afterAll(async () => {
  sockets.destroyAll();
  await new Promise((r) => server.close(r));
  await new Promise((r) => tlsServer.close(r));
  if (pki) removeDir(pki.dir);
});

function settings(probeMs: number): ProbeSettings {
  return probeSettings({ timeouts: { readMs: 600_000, probeMs }, ladder: [resolveProfile('modern', {})], sockets: 'lean' });
}

/** The raw engine, watching its handshakes: the options each got and each result. */
function watchedEngine(watchesDeadline: boolean): { engine: TlsEngine; options: TlsHandshakeOptions[]; ended: Promise<TlsHandshakeResult> } {
  const raw = new RawTlsEngine();
  const options: TlsHandshakeOptions[] = [];
  let settled: (r: TlsHandshakeResult) => void = () => {};
  const ended = new Promise<TlsHandshakeResult>((res) => (settled = res));
  const handshake = (socket: Parameters<TlsEngine['handshake']>[0], o: TlsHandshakeOptions) => {
    options.push(o);
    // The engine's own promise goes back (no hop more than the raw engine's before the record is made).
    const p = raw.handshake(socket, o);
    void p.then(settled);
    return p;
  };
  // Without the flag, the probe must treat it as an engine that knows only the signal.
  const engine: TlsEngine = watchesDeadline ? { name: raw.name, watchesDeadline: true, handshake } : { name: raw.name, handshake };
  return { engine, options, ended };
}

const implicit: ServiceSpec = { name: 'tls', mode: 'implicit', defaultPort: PORT, dialog: async () => 'success' };
const target = { ip: HOST, port: PORT, service: 'tls' };

describe('the probe deadline', () => {
  it('ends an implicit handshake through the engine (no AbortSignal made): the record keeps tls, with the timeout', async () => {
    const { engine, options, ended } = watchedEngine(true);
    const r = await runProbe({ target, protocolId: 'test', spec: implicit, options: {} }, engine, settings(300), silentLogger());
    expect(r.status).toBe('timeout');
    expect(r.error?.reason).toBe('probe-timeout');
    expect(options).toHaveLength(1);
    expect(options[0]!.signal).toBeUndefined();
    expect(options[0]!.deadline?.expired).toBe(true);
    // The engine's handshake ended at the deadline, in time for the record.
    expect(r.tls?.error).toEqual({ kind: 'timeout', message: 'probe deadline passed during the handshake' });
    expect(r.tls?.completed).toBe(false);
    const done = await ended;
    expect(done.info.error?.kind).toBe('timeout');
    // The engine let go of the deadline when its handshake ended.
    expect(options[0]!.deadline?.onExpire).toBeUndefined();
    // The probe's deadline has `expiring`: the raw engine ended its handshake through it (no function per handshake).
    expect(options[0]!.deadline).toHaveProperty('expiring', undefined);
  });

  it("gives a deadline without `expiring` (a third party's) the raw engine's onExpire, as before, and takes it back", async () => {
    // A silent server of this test's own (127.0.107.1): only the deadline can end the handshake.
    const accepted: Socket[] = [];
    const silent = createServer((s) => {
      accepted.push(s);
      s.on('error', () => {});
    });
    await listenOn(silent, PORT, '127.0.107.1');
    try {
      const socket = await dialTcp('127.0.107.1', PORT, { timeoutMs: 2000, kind: 'lean' });
      const deadline: HandshakeDeadline = { expired: false, onExpire: undefined };
      const result = new RawTlsEngine().handshake(socket, { profile: resolveProfile('modern', {}), observeOnly: false, readTimeoutMs: 600_000, maxBytes: 1 << 20, deadline });
      await new Promise((r) => setTimeout(r, 100));
      expect(typeof deadline.onExpire).toBe('function');
      expect('expiring' in deadline).toBe(false);
      deadline.expired = true;
      deadline.onExpire!();
      const r = await result;
      expect(r.info.error).toEqual({ kind: 'timeout', message: 'probe deadline passed during the handshake' });
      expect(deadline.onExpire).toBeUndefined();
      socket.destroy();
    } finally {
      for (const s of accepted) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it('ends a node:tls engine handshake through the deadline too (no signal)', async () => {
    const node = new NodeTlsEngine();
    const options: TlsHandshakeOptions[] = [];
    const engine: TlsEngine = { name: node.name, watchesDeadline: node.watchesDeadline, handshake: (socket, o) => (options.push(o), node.handshake(socket, o)) };
    const r = await runProbe({ target, protocolId: 'test', spec: implicit, options: {} }, engine, settings(300), silentLogger());
    expect(r.status).toBe('timeout');
    expect(options[0]!.signal).toBeUndefined();
    expect(r.tls?.error).toEqual({ kind: 'timeout', message: 'probe deadline passed during the handshake' });
    expect(options[0]!.deadline?.onExpire).toBeUndefined();
  });

  it('aborts the signal it gives an engine that does not watch the deadline: the same record', async () => {
    const { engine, options, ended } = watchedEngine(false);
    const r = await runProbe({ target, protocolId: 'test', spec: implicit, options: {} }, engine, settings(300), silentLogger());
    expect(r.status).toBe('timeout');
    expect(options[0]!.signal?.aborted).toBe(true);
    expect(r.tls?.error).toEqual({ kind: 'timeout', message: 'probe deadline passed during the handshake' });
    expect((await ended).info.error?.kind).toBe('timeout');
  });

  it('an implicit dialog that first asks for ctx.conn past the deadline gets a closed connection: its read fails at once', async () => {
    let read: Promise<string> = Promise.resolve('not read');
    let pastDeadline: () => void = () => {};
    const asked = new Promise<void>((res) => (pastDeadline = res));
    const spec: ServiceSpec = {
      name: 'tls',
      mode: 'implicit',
      defaultPort: PORT,
      dialog: async (ctx) => {
        // Waits past the deadline without touching ctx.conn (the probe closes the TLS stream meanwhile).
        await new Promise((res) => setTimeout(res, 500));
        read = ctx.conn.readLine().then(
          () => 'read a line',
          (e: unknown) => (e as { reason?: string }).reason ?? String(e),
        );
        pastDeadline();
        return 'success';
      },
    };
    const { engine } = watchedEngine(true);
    const r = await runProbe({ target: { ...target, ip: TLS_HOST }, protocolId: 'test', spec, options: {} }, engine, settings(300), silentLogger());
    expect(r.status).toBe('timeout');
    expect(r.tls?.completed).toBe(true);
    await asked;
    // With a read timeout of ten minutes, only a closed connection ends this read within the test's time.
    expect(await read).toBe('connection-closed');
  });

  it("aborts a dialog's ctx.signal, asked for before the deadline or after it", async () => {
    const seen: boolean[] = [];
    let late: Promise<boolean> = Promise.resolve(false);
    const spec: ServiceSpec = {
      name: 'line',
      mode: 'starttls',
      defaultPort: PORT,
      dialog: async (ctx) => {
        const signal = ctx.signal;
        seen.push(signal.aborted);
        await new Promise<void>((res) => signal.addEventListener('abort', () => res(), { once: true }));
        seen.push(signal.aborted, ctx.signal === signal);
        late = new Promise((res) => setTimeout(() => res(ctx.signal.aborted), 10));
        return 'success';
      },
    };
    const { engine } = watchedEngine(true);
    const r = await runProbe({ target: { ...target, service: 'line' }, protocolId: 'test', spec, options: {} }, engine, settings(300), silentLogger());
    expect(r.status).toBe('timeout');
    expect(r.error?.reason).toBe('probe-timeout');
    expect(seen).toEqual([false, true, true]);
    expect(await late).toBe(true);
  });
});
