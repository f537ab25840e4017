import { readFileSync } from 'node:fs';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { removeDir, tempDir } from '../../../../test/harness/daemon.js';
import { probeSettings } from '../../../../test/harness/probe-settings.js';
import { makePki, type TestPki } from '../../../../test/tls-engine/pki.js';
import { silentLogger } from '../../src/log/logger.js';
import { libuvTcp } from '../../src/net/libuv-tcp.js';
import { TcpClient } from '../../src/net/tcp-client.js';
import type { DialogContext } from '../../src/probe/dialog-context.js';
import type { ServiceSpec } from '../../src/plugin/api.js';
import { runProbe, type ProbeSettings } from '../../src/probe/run-probe.js';
import { ClientHandshake } from '../../src/tls/client-handshake.js';
import { resolveProfile } from '../../src/tls/profiles.js';
import { RawTlsEngine } from '../../src/tls/raw-tls-engine.js';
import { listenOn } from '../../../../test/harness/listen.js';

/*
 * How a probe's connection ends, against real servers on 127.0.93.1-2: a node
 * tls.Server (TLS 1.3, which sends its NewSessionTickets and a line of
 * application data after the handshake, and answers our close_notify with its
 * own) and a plaintext line server that greets, answers QUIT, and never closes
 * its side. The probe closes at once when its record is made: the socket is
 * gone by then (no half-close waiting for the server's FIN), and nothing the
 * server sends afterwards is read or decrypted.
 */
const PORT = 4433;
const HOST = { tls: '127.0.93.1', plain: '127.0.93.2' } as const;

let pki: TestPki;
const servers: Array<Server | TcpServer> = [];
const sockets = new Set<Socket>();
/** Resolved with each server-side socket's close, in connection order. */
let serverClosed: Array<Promise<void>> = [];

function track(s: Socket): void {
  sockets.add(s);
  s.on('error', () => {});
  serverClosed.push(new Promise<void>((res) => s.on('close', () => (sockets.delete(s), res()))));
}

beforeAll(async () => {
  pki = makePki(tempDir('probe-close'));
  const tls = createServer({ key: readFileSync(`${pki.dir}/rsa.key`), cert: readFileSync(`${pki.dir}/rsa-chain.crt`), minVersion: 'TLSv1.3' }, (s: TLSSocket) => {
    s.write('after the handshake\r\n');
  });
  tls.on('connection', track);
  tls.on('tlsClientError', () => {});
  // The plaintext server never closes first: it keeps its side open until our FIN has come (allowHalfOpen).
  const plain = createTcpServer({ allowHalfOpen: true }, (s) => {
    track(s);
    s.on('end', () => s.destroy());
    s.write('220 hello\r\n');
    s.on('data', (d) => {
      if (d.toString().startsWith('QUIT')) s.write('221 bye\r\n');
    });
  });
  servers.push(tls, plain);
  await listenOn(tls, PORT, HOST.tls);
  await listenOn(plain, PORT, HOST.plain);
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  if (pki) removeDir(pki.dir);
});

afterEach(() => {
  vi.restoreAllMocks();
  serverClosed = [];
});

function settings(probeMs = 10_000): ProbeSettings {
  return probeSettings({ timeouts: { probeMs }, ladder: [resolveProfile('modern', {})], sockets: 'lean' });
}

/** Every lean client the probe dials, each with a promise of its 'close'. */
function captureClients(): Array<{ client: TcpClient; closed: Promise<void> }> {
  const out: Array<{ client: TcpClient; closed: Promise<void> }> = [];
  // Every connect, the probe's (dial.ts: dial()) and connect()'s (connectThen()), goes through startConnect().
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the client as `this`
  const startConnect = TcpClient.prototype.startConnect;
  vi.spyOn(TcpClient.prototype, 'startConnect').mockImplementation(function (this: TcpClient, host: string, port: number, noDelay: boolean) {
    out.push({ client: this, closed: new Promise<void>((res) => this.once('close', () => res())) });
    return startConnect.call(this, host, port, noDelay);
  });
  return out;
}

/** Every write syscall (libuv writeBuffer) of the lean clients made from now on. */
function captureWrites(): Buffer[] {
  const writes: Buffer[] = [];
  const newHandle = libuvTcp!.newHandle.bind(libuvTcp);
  vi.spyOn(libuvTcp!, 'newHandle').mockImplementation(() => {
    const h = newHandle();
    const write = h.writeBuffer.bind(h);
    h.writeBuffer = (req, data) => {
      writes.push(Buffer.from(data));
      return write(req, data);
    };
    return h;
  });
  return writes;
}

const probe = (ip: string, spec: ServiceSpec, s = settings()) =>
  runProbe({ target: { ip, port: PORT, service: spec.name }, protocolId: 'test', spec, options: {} }, new RawTlsEngine(), s, silentLogger());

/** A line dialog: banner, QUIT, its reply. */
async function quitDialog(ctx: DialogContext): Promise<'success'> {
  ctx.record.banner = await ctx.conn.readLine();
  await ctx.conn.write('QUIT\r\n');
  await ctx.conn.readLine();
  return 'success';
}

describe("a probe's end: close at once", () => {
  it('TLS 1.3: close_notify, then the socket is closed when the record is made; nothing the server sends afterwards is decrypted', async () => {
    const clients = captureClients();
    const writes = captureWrites();
    const feed = vi.spyOn(ClientHandshake.prototype, 'feed');
    const closeNotify = vi.spyOn(ClientHandshake.prototype, 'closeNotify');
    const r = await probe(HOST.tls, { name: 'tls', mode: 'implicit', defaultPort: PORT, dialog: async () => 'success' });
    const fedAtRecord = feed.mock.calls.length;
    expect(r.status).toBe('success');
    expect(r.tls).toMatchObject({ version: 'TLSv1.3', completed: true });
    expect(clients).toHaveLength(1);
    expect(clients[0]!.client.destroyed).toBe(true);
    expect(closeNotify).toHaveBeenCalledTimes(1);
    // Two writes: the ClientHello; then ChangeCipherSpec and Finished joined with the close_notify
    // (an encrypted alert: an application-data record of 2 + 1 + 16 bytes) in one.
    expect(writes).toHaveLength(2);
    const last = writes[1]!;
    expect(last[0]).toBe(20);
    expect([...last.subarray(-24, -19)]).toEqual([23, 3, 3, 0, 19]);
    // Both ends gone: the server's tickets, its line and its close_notify were sent and never fed to the handshake.
    await Promise.all([clients[0]!.closed, ...serverClosed]);
    expect(feed.mock.calls.length).toBe(fedAtRecord);
    // No NewSessionTicket was parsed into the record after it was made.
    expect(r.tls?.sessionTickets).toBeUndefined();
  });

  it('plaintext (no TLS): the socket is closed when the record is made, with no half-close, though the server never closes its side', async () => {
    const clients = captureClients();
    const end = vi.spyOn(TcpClient.prototype, 'end');
    const r = await probe(HOST.plain, { name: 'line', mode: 'starttls', defaultPort: PORT, dialog: quitDialog });
    expect(r.status).toBe('success');
    expect(r.banner).toBe('220 hello');
    expect(clients[0]!.client.destroyed).toBe(true);
    expect(end).not.toHaveBeenCalled();
    await Promise.all([clients[0]!.closed, ...serverClosed]);
  });

  it('a record made at the probe deadline does not change when the dialog carries on, and the dialog\'s next read fails at once', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((res) => (release = res));
    let dialogEnd: (outcome: string) => void = () => {};
    const dialogEnded = new Promise<string>((res) => (dialogEnd = res));
    const dialog = async (ctx: DialogContext): Promise<'success'> => {
      ctx.record.banner = await ctx.conn.readLine();
      ctx.record.starttls = { offered: true, upgraded: false };
      await gate;
      ctx.record.starttls.upgraded = true;
      ctx.record.starttls.reply = 'changed after the record';
      ctx.record.banner = 'changed after the record';
      try {
        await ctx.conn.readLine();
        dialogEnd('read');
      } catch (e) {
        dialogEnd((e as { reason?: string }).reason ?? String(e));
      }
      return 'success';
    };
    const r = await probe(HOST.plain, { name: 'line', mode: 'starttls', defaultPort: PORT, dialog }, settings(300));
    expect(r.status).toBe('timeout');
    expect(r.error?.reason).toBe('probe-timeout');
    const emitted = JSON.stringify(r);
    release();
    expect(await dialogEnded).toBe('connection-closed');
    expect(JSON.stringify(r)).toBe(emitted);
    expect(r).toMatchObject({ banner: '220 hello', starttls: { offered: true, upgraded: false } });
  });
});
