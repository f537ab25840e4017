import { readFileSync } from 'node:fs';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { createServer, type Server } from 'node:tls';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { removeDir, startForeground, tempDir, waitForPort, type Daemon } from '../../../../test/harness/daemon.js';
import { probeSettings } from '../../../../test/harness/probe-settings.js';
import { makePki, type TestPki } from '../../../../test/tls-engine/pki.js';
import { silentLogger } from '../../src/log/logger.js';
import type { ServiceSpec } from '../../src/plugin/api.js';
import { runProbe, type ProbeSettings } from '../../src/probe/run-probe.js';
import { ClientHandshake } from '../../src/tls/client-handshake.js';
import { resolveProfile } from '../../src/tls/profiles.js';
import { RawTlsEngine } from '../../src/tls/raw-tls-engine.js';
import { flightBytes, loadFlights } from '../tls/replay.js';
import { listenOn } from '../../../../test/harness/listen.js';

/*
 * How runProbe maps a failed handshake onto the status contract, and when the
 * fallback ladder steps down, against real servers on 127.0.43.20-29: Node's
 * tls.Server, openssl s_server with a SEED suite, and scripted peers that
 * answer the ClientHello with a ServerHello then an alert, an alert alone, a
 * close, a reset, garbage or silence. Each scripted peer counts connections:
 * one per ladder step.
 */
const PORT = 4433;
const OPENSSL = '/usr/bin/openssl';
const HOST = {
  node: '127.0.43.20',
  camellia: '127.0.43.21',
  helloThenAlert: '127.0.43.22',
  closeAtHello: '127.0.43.23',
  resetAtHello: '127.0.43.24',
  alertAtHello: '127.0.43.25',
  garbage: '127.0.43.26',
  silent: '127.0.43.27',
} as const;

const ALERT_HANDSHAKE_FAILURE = Buffer.from([21, 3, 3, 0, 2, 2, 40]);

/** The recorded ServerHello of an OpenSSL TLS 1.2 server (suite 0xc030), as its own record. */
function recordedServerHello(): Buffer {
  const bytes = flightBytes(loadFlights().find((f) => f.name === 'tls12-ecdhe-rsa-ocsp-openssl')!);
  return bytes.subarray(0, 5 + bytes.readUInt16BE(3));
}

const scripted: Record<string, (s: Socket) => void> = {
  [HOST.helloThenAlert]: (s) => s.write(Buffer.concat([recordedServerHello(), ALERT_HANDSHAKE_FAILURE])),
  [HOST.closeAtHello]: (s) => s.end(),
  [HOST.resetAtHello]: (s) => s.resetAndDestroy(),
  [HOST.alertAtHello]: (s) => s.end(ALERT_HANDSHAKE_FAILURE),
  [HOST.garbage]: (s) => s.write('HTTP/1.1 400 Bad Request\r\n\r\n'),
  [HOST.silent]: () => {},
};

let pki: TestPki;
let daemon: Daemon | undefined;
const servers: Array<Server | TcpServer> = [];
const sockets = new Set<Socket>();
const connections = new Map<string, number>();

beforeAll(async () => {
  pki = makePki(tempDir('run-probe'));
  const tls = createServer({ key: readFileSync(`${pki.dir}/rsa.key`), cert: readFileSync(`${pki.dir}/rsa-chain.crt`), maxVersion: 'TLSv1.2' }, (s) => s.on('error', () => {}));
  tls.on('tlsClientError', () => {});
  servers.push(tls);
  await listenOn(tls, PORT, HOST.node);
  for (const [host, answer] of Object.entries(scripted)) {
    const s = createTcpServer((sock) => {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
      sock.on('error', () => {});
      connections.set(host, (connections.get(host) ?? 0) + 1);
      sock.once('data', () => answer(sock));
    });
    servers.push(s);
    await listenOn(s, PORT, host);
  }
  // SEED: OpenSSL serves it from its legacy provider; this test process has no legacy provider, so the engine cannot complete it.
  daemon = startForeground(OPENSSL, ['s_server', '-provider', 'legacy', '-provider', 'default', '-accept', `${HOST.camellia}:${PORT}`, '-cert', 'rsa.crt', '-key', 'rsa.key', '-cert_chain', 'ca.crt', '-no_tls1_3', '-cipher', 'SEED-SHA:@SECLEVEL=0', '-www', '-quiet'], { cwd: pki.dir });
  await waitForPort(HOST.camellia, PORT);
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await daemon?.stop();
  if (pki) removeDir(pki.dir);
});

afterEach(() => {
  vi.restoreAllMocks();
});

const spec: ServiceSpec = { name: 'tls', mode: 'implicit', defaultPort: PORT, dialog: async () => 'success' };

function settings(ladder: string[], readMs = 2000): ProbeSettings {
  return probeSettings({ timeouts: { readMs }, ladder: ladder.map((n) => resolveProfile(n, {})) });
}

const probe = (ip: string, s: ProbeSettings, logger = silentLogger()) =>
  runProbe({ target: { ip, port: PORT, service: 'tls' }, protocolId: 'tls', spec, options: {} }, new RawTlsEngine(), s, logger);

describe('runProbe: tls.error.kind onto status and reason', () => {
  it('a suite the engine does not complete (SEED without the legacy provider): tls-failed / tls-unsupported, the record keeps what the server chose, no step down', async () => {
    const r = await probe(HOST.camellia, settings(['compat', 'compat']));
    expect(r.status, daemon?.output()).toBe('tls-failed');
    expect(r.error?.reason).toBe('tls-unsupported');
    expect(r.tls).toMatchObject({
      version: 'TLSv1.2',
      cipherSuite: { id: 0x0096, name: 'TLS_RSA_WITH_SEED_CBC_SHA' },
      keyExchange: { kind: 'RSA' },
      completed: false,
      notCompletedReason: expect.stringContaining("needs OpenSSL's legacy provider"),
      error: { kind: 'unsupported' },
      fallbackStep: 0,
    });
    expect(r.tls?.chain).toEqual([pki.rsaLeafDer, pki.caDer]);
  });

  it('our bug during the handshake: internal-error / internal, the record kept, the stack in the debug log', async () => {
    vi.spyOn(ClientHandshake.prototype, 'parseCertificate').mockImplementation(() => {
      throw new TypeError('injected bug');
    });
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) }));
    const r = await probe(HOST.node, settings(['compat', 'compat']), logger);
    expect(r.status).toBe('internal-error');
    expect(r.error).toEqual({ reason: 'internal', message: 'internal error: TypeError: injected bug' });
    expect(r.tls).toMatchObject({ version: 'TLSv1.2', completed: false, error: { kind: 'internal' }, fallbackStep: 0 });
    expect(r.tls?.cipherSuite?.id).toBeGreaterThan(0);
    const logged = lines.map((l) => JSON.parse(l) as { level: number; msg: string; err?: { stack?: string } });
    const entry = logged.find((l) => l.msg === 'internal error during a probe');
    expect(entry?.level).toBe(20);
    expect(entry?.err?.stack).toMatch(/TypeError: injected bug\n\s+at /);
  });

  it('an unknown exception from a dialog is internal-error / internal, never protocol-error', async () => {
    const buggy: ServiceSpec = { ...spec, dialog: async () => (undefined as unknown as { x: () => 'success' }).x() };
    const r = await runProbe({ target: { ip: HOST.node, port: PORT, service: 'tls' }, protocolId: 'tls', spec: buggy, options: {} }, new RawTlsEngine(), settings(['compat']), silentLogger());
    expect(r.status).toBe('internal-error');
    expect(r.error?.reason).toBe('internal');
    expect(r.tls).toMatchObject({ completed: true, version: 'TLSv1.2' });
  });
});

describe('runProbe: the ladder steps down only for an offer refused before any ServerHello', () => {
  it.each([
    [HOST.alertAtHello, 'tls-alert', 'alert'],
    [HOST.closeAtHello, 'connection-closed', 'closed'],
    [HOST.resetAtHello, 'connection-reset', 'reset'],
  ])('%s: %s before a ServerHello steps down every rung', async (host, reason, kind) => {
    connections.delete(host);
    const r = await probe(host, settings(['modern', 'compat', 'compat']));
    expect(r.status).toBe('tls-failed');
    expect(r.error?.reason).toBe(reason);
    // Every rung refused: the record is the first rung's (the answer to the main offer), the refusals listed in order.
    expect(r.tls).toMatchObject({ error: { kind }, fallbackStep: 0, profile: 'modern' });
    expect(r.tls?.refusedSteps).toEqual([0, 1, 2].map((step) => ({
      step, profile: step === 0 ? 'modern' : 'compat', kind, ...(kind === 'alert' ? { alert: 'handshake_failure' } : {}),
    })));
    expect(r.tls?.version).toBeUndefined();
    expect(connections.get(host)).toBe(3);
  });

  it('a rung the server accepts after refused ones: its record, with the refused rungs listed', async () => {
    // The Node tls.Server on HOST.node refuses nothing; a first rung it cannot share a suite with is refused.
    const only3des = { ...resolveProfile('compat', {}), name: 'only-3des', cipherSuites: ['TLS_RSA_WITH_3DES_EDE_CBC_SHA'] };
    const s = { ...settings(['compat']), ladder: [only3des, resolveProfile('compat', {})] };
    const r = await probe(HOST.node, s);
    expect(r.status).toBe('success');
    expect(r.tls).toMatchObject({ completed: true, fallbackStep: 1, profile: 'compat' });
    expect(r.tls?.refusedSteps).toEqual([{ step: 0, profile: 'only-3des', kind: 'alert', alert: 'handshake_failure' }]);
  });

  it('an alert after a ServerHello: tls-failed / tls-alert with what the server chose, and no step down', async () => {
    connections.delete(HOST.helloThenAlert);
    const r = await probe(HOST.helloThenAlert, settings(['compat', 'modern']));
    expect(r.status).toBe('tls-failed');
    expect(r.error?.reason).toBe('tls-alert');
    expect(r.tls).toMatchObject({ version: 'TLSv1.2', cipherSuite: { id: 0xc030 }, error: { kind: 'alert' }, alert: { description: 'handshake_failure' }, fallbackStep: 0 });
    expect(connections.get(HOST.helloThenAlert)).toBe(1);
  });

  it('bytesReceived: the raw bytes read from the socket; 0 for a listener that never speaks; absent when the port is closed', async () => {
    const garbage = await probe(HOST.garbage, settings(['compat']));
    expect(garbage.bytesReceived).toBe('HTTP/1.1 400 Bad Request\r\n\r\n'.length);
    const silent = await probe(HOST.closeAtHello, settings(['compat']));
    expect(silent.bytesReceived).toBe(0);
    const done = await probe(HOST.node, settings(['compat']));
    expect(done.bytesReceived).toBeGreaterThan(1000); // ServerHello, certificate chain, Finished
    const closed = await runProbe({ target: { ip: HOST.node, port: 9, service: 'tls' }, protocolId: 'tls', spec, options: {} }, new RawTlsEngine(), settings(['compat']), silentLogger());
    expect(closed.status).toBe('connect-failed');
    expect(closed.bytesReceived).toBeUndefined();
  });

  it.each([
    [HOST.garbage, 'tls-protocol', 'protocol', 2000],
    [HOST.silent, 'tls-timeout', 'timeout', 300],
  ])('%s: %s is no refusal, no step down', async (host, reason, kind, readMs) => {
    connections.delete(host);
    const r = await probe(host, settings(['compat', 'modern'], readMs));
    expect(r.status).toBe('tls-failed');
    expect(r.error?.reason).toBe(reason);
    expect(r.tls).toMatchObject({ error: { kind }, fallbackStep: 0 });
    expect(connections.get(host)).toBe(1);
  });
});
