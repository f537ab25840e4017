import { createServer, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { probeSettings } from '../../../../test/harness/probe-settings.js';
import { silentLogger } from '../../src/log/logger.js';
import { TcpClient } from '../../src/net/tcp-client.js';
import type { ServiceSpec } from '../../src/plugin/api.js';
import { runProbe, type ProbeSettings } from '../../src/probe/run-probe.js';
import { resolveProfile } from '../../src/tls/profiles.js';
import { RawTlsEngine } from '../../src/tls/raw-tls-engine.js';
import { listenOn } from '../../../../test/harness/listen.js';
import { HeldSockets } from '../../../../test/harness/held-sockets.js';

/*
 * A probe's connect attempts, counted at the lean client's one door for connects (startConnect):
 * a refused connect is retried `connectRetries` times; a connect cut short by the probe deadline
 * (the deadline nearer than the connect timeout) ends the probe as a probe timeout, at the
 * deadline, and is never retried. Real sockets on 127.0.105.2 (listening) and 127.0.105.3
 * (closed: refused); the silent connect is one still pending when fake timers pass the deadline
 * (its completion needs an event-loop turn).
 */
const OPEN = '127.0.105.2';
const CLOSED = '127.0.105.3';
const PORT = 4433;
let server: Server;
const sockets = new HeldSockets();

beforeAll(async () => {
  server = createServer((s) => sockets.track(s));
  await listenOn(server, PORT, OPEN);
});

afterAll(async () => {
  sockets.destroyAll();
  await new Promise((r) => server.close(r));
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

function settings(connectRetries: number, connectMs: number, probeMs: number): ProbeSettings {
  return probeSettings({ timeouts: { connectMs, readMs: 600_000, probeMs }, ladder: [resolveProfile('modern', {})], connectRetries, sockets: 'lean' });
}

const spec: ServiceSpec = { name: 'line', mode: 'starttls', defaultPort: PORT, dialog: async () => 'success' };

function countConnects(): string[] {
  const hosts: string[] = [];
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the client as `this`
  const startConnect = TcpClient.prototype.startConnect;
  vi.spyOn(TcpClient.prototype, 'startConnect').mockImplementation(function (this: TcpClient, host: string, port: number, noDelay: boolean) {
    hosts.push(host);
    return startConnect.call(this, host, port, noDelay);
  });
  return hosts;
}

const probe = (ip: string, s: ProbeSettings) => runProbe({ target: { ip, port: PORT, service: 'line' }, protocolId: 'test', spec, options: {} }, new RawTlsEngine(), s, silentLogger());

describe("a probe's connect attempts", () => {
  it.each([0, 1, 2])('a refused connect is tried 1 + %i times, then recorded as refused', async (retries) => {
    const connects = countConnects();
    const r = await probe(CLOSED, settings(retries, 2000, 10_000));
    expect(r.status).toBe('connect-failed');
    expect(r.error?.message).toMatch(/ECONNREFUSED/);
    expect(connects).toEqual(Array(retries + 1).fill(CLOSED));
  });

  it('a connect the probe deadline cuts short ends as a probe timeout at the deadline, not retried', async () => {
    const connects = countConnects();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    let done = false;
    const record = probe(OPEN, settings(2, 5000, 1000)).finally(() => (done = true));
    // The connect is issued after the probe's first awaits: let them run (microtasks only, no I/O).
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(connects).toEqual([OPEN]);
    vi.advanceTimersByTime(999);
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(done).toBe(false);
    vi.advanceTimersByTime(1);
    const r = await record;
    expect(r.status).toBe('timeout');
    expect(r.error).toEqual({ reason: 'probe-timeout', message: 'probe deadline passed while connecting' });
    expect(connects).toEqual([OPEN]);
    // Nothing of the probe is left to fire (no timer keeps the process alive).
    expect(vi.getTimerCount()).toBe(0);
  });
});
