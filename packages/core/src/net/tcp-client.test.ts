import { createHash } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Connection } from './connection.js';
import { dialTcp, type SocketKind } from './dial.js';
import { newTcpClient, tcpClientAvailable, type TcpClient } from './tcp-client.js';
import { listenOn } from '../../../../test/harness/listen.js';

const HOST = '127.0.21.1';
const servers: Server[] = [];
const peers = new Set<Socket>();

async function serve(onConnection: (s: Socket) => void, host = HOST): Promise<number> {
  const server = createServer((s) => {
    peers.add(s);
    s.on('error', () => {});
    s.on('close', () => peers.delete(s));
    onConnection(s);
  });
  servers.push(server);
  return listenOn(server, 0, host);
}

async function client(port: number, host = HOST): Promise<TcpClient> {
  const c = newTcpClient();
  await c.connect(host, port);
  return c;
}

function collect(c: TcpClient): { data: () => Buffer; ended: Promise<void>; closed: Promise<void> } {
  const chunks: Buffer[] = [];
  c.on('data', (d: Buffer) => chunks.push(d));
  return {
    data: () => Buffer.concat(chunks),
    ended: new Promise((res) => c.on('end', () => res())),
    closed: new Promise((res) => c.on('close', () => res())),
  };
}

afterEach(async () => {
  for (const p of peers) p.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((res) => s.close(res))));
});

describe.runIf(tcpClientAvailable)('TcpClient (libuv handle)', () => {
  it('connects, writes, reads after resume, sees the peer close: end then close', async () => {
    const port = await serve((s) => s.once('data', (d) => s.end(Buffer.concat([Buffer.from('echo:'), d]))));
    const c = await client(port);
    expect(c.localPort).toBeGreaterThan(0);
    expect(c.localAddress).toMatch(/^127\./);
    const got = collect(c);
    let written = false;
    c.write('hello', () => (written = true));
    c.resume();
    await got.ended;
    await got.closed;
    expect(written).toBe(true);
    expect(got.data().toString()).toBe('echo:hello');
    expect(c.destroyed).toBe(true);
    expect(c.peerEnded).toBe(true);
  });

  it('holds bytes that arrive while paused and delivers them in order on resume', async () => {
    const port = await serve((s) => {
      s.write('one ');
      setTimeout(() => s.write('two '), 20);
      setTimeout(() => s.end('three'), 40);
    });
    const c = await client(port);
    const got = collect(c);
    await new Promise((r) => setTimeout(r, 120));
    expect(got.data().length).toBe(0);
    c.resume();
    await got.closed;
    expect(got.data().toString()).toBe('one two three');
  });

  it("a peer that closes before anyone resumes: 'end' and 'close' wait for resume(), as held bytes do (reading starts at connect)", async () => {
    let finSent!: () => void;
    const peerEnded = new Promise<void>((res) => (finSent = res));
    const port = await serve((s) => s.end(() => finSent()));
    const c = await client(port);
    const events: string[] = [];
    c.on('end', () => events.push('end'));
    const closed = new Promise<void>((res) => c.on('close', () => res()));
    await peerEnded;
    await new Promise((r) => setTimeout(r, 50));
    expect(events).toEqual([]);
    expect(c.destroyed).toBe(false);
    c.resume();
    await closed;
    expect(events).toEqual(['end']);
    expect(c.peerEnded).toBe(true);
  });

  it('holds bytes read with no data listener, and pause() stops delivery until resume()', async () => {
    let accepted!: (s: Socket) => void;
    const peerAccepted = new Promise<Socket>((res) => (accepted = res));
    const port = await serve((s) => accepted(s));
    const c = await client(port);
    c.resume();
    const peer = await peerAccepted;
    peer.write('early');
    await new Promise((r) => setTimeout(r, 50));
    const chunks: string[] = [];
    const onData = (d: Buffer) => {
      chunks.push(d.toString());
      c.pause();
    };
    c.on('data', onData);
    c.resume();
    expect(chunks).toEqual(['early']);
    peer.write('late');
    await new Promise((r) => setTimeout(r, 50));
    expect(chunks).toEqual(['early']);
    c.resume();
    await new Promise((r) => setTimeout(r, 50));
    expect(chunks).toEqual(['early', 'late']);
    c.destroy();
  });

  it('a large write completes asynchronously, calls back once, emits drain, and arrives intact', async () => {
    const size = 16 * 1024 * 1024;
    const payload = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4) payload.writeUInt32LE(i, i);
    let received = 0;
    const hash = createHash('sha256');
    const done = new Promise<string>((res) => {
      void serve((s) => {
        s.pause();
        // A slow reader: the client's kernel buffer fills and the write goes async.
        setTimeout(() => s.resume(), 100);
        s.on('data', (d) => {
          received += d.length;
          hash.update(d);
          if (received === size) res(hash.digest('hex'));
        });
      }).then((port) => start(port));
    });
    let calls = 0;
    let drained = false;
    const start = async (port: number) => {
      const c = await client(port);
      c.on('drain', () => (drained = true));
      const ok = c.write(payload, (err) => {
        expect(err).toBeFalsy();
        calls++;
      });
      expect(ok).toBe(false);
    };
    expect(await done).toBe(createHash('sha256').update(payload).digest('hex'));
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toBe(1);
    expect(drained).toBe(true);
  });

  it('end() sends FIN after pending writes; the client closes on the peer FIN', async () => {
    const port = await serve((s) => {
      const chunks: Buffer[] = [];
      s.on('data', (d) => chunks.push(d));
      s.on('end', () => s.end(`got ${Buffer.concat(chunks).toString()}`));
    });
    const c = await client(port);
    const got = collect(c);
    c.write('bye');
    c.end();
    c.resume();
    await got.closed;
    expect(got.data().toString()).toBe('got bye');
  });

  it('a reset is an ECONNRESET error when someone listens, and never throws when nobody does', async () => {
    const port = await serve((s) => s.once('data', () => s.resetAndDestroy()));
    const c = await client(port);
    const errors: NodeJS.ErrnoException[] = [];
    c.on('error', (e: NodeJS.ErrnoException) => errors.push(e));
    const got = collect(c);
    c.write('x');
    c.resume();
    await got.closed;
    expect(errors.map((e) => e.code)).toEqual(['ECONNRESET']);

    const quiet = await client(port);
    const closed = new Promise<void>((res) => quiet.on('close', () => res()));
    quiet.on('data', () => {});
    quiet.write('x');
    quiet.resume();
    await closed;
  });

  it('refused and cancelled connects reject with node:net-style codes', async () => {
    const port = await serve(() => {});
    await new Promise<void>((res) => servers.pop()!.close(() => res()));
    await expect(client(port)).rejects.toMatchObject({ code: 'ECONNREFUSED', syscall: 'connect' });
    const c = newTcpClient();
    const pending = c.connect(HOST, 9);
    c.destroy();
    await expect(pending).rejects.toMatchObject({ code: expect.stringMatching(/ECANCELED|ECONNREFUSED/) });
  });

  it('write after destroy calls back with an error and does not throw', async () => {
    const port = await serve(() => {});
    const c = await client(port);
    c.destroy();
    const err = await new Promise<Error | null | undefined>((res) => c.write('x', res));
    expect(err).toBeInstanceOf(Error);
  });

  it('a server that sends one byte per segment is read in joined pieces: at most 256 + bytes/1024 reads plus one per 20 ms pause', async () => {
    const total = 40_000;
    const drip = async (s: Socket) => {
      s.setNoDelay(true);
      for (let i = 0; i < total && !s.destroyed; i++) {
        if (!s.write(Buffer.from([i & 255]))) await new Promise((r) => s.once('drain', r));
        else if (i % 64 === 63) await new Promise((r) => setImmediate(r));
      }
      s.end();
    };
    // The server drips on its own; vitest reports a rejection there as an error.
    const port = await serve((s) => void drip(s), '127.0.42.3');
    const c = await client(port, '127.0.42.3');
    let reads = 0;
    c.on('data', () => reads++);
    const got = collect(c);
    const t0 = performance.now();
    c.resume();
    await got.closed;
    const elapsed = performance.now() - t0;
    expect(got.data().equals(Buffer.from(Array.from({ length: total }, (_, i) => i & 255)))).toBe(true);
    // The bound holds by construction (docs/tls-engine.md); reading each segment alone would take one read per byte.
    expect(reads).toBeLessThanOrEqual(256 + total / 1024 + elapsed / 20 + 1);
  });

  it('connects over IPv6 loopback', async () => {
    let port: number;
    try {
      port = await serve((s) => s.end('v6'), '::1');
    } catch {
      return; // no IPv6 loopback on this machine
    }
    const c = await client(port, '::1');
    const got = collect(c);
    c.resume();
    await got.closed;
    expect(got.data().toString()).toBe('v6');
  });
});

describe('dialTcp', () => {
  const kinds: SocketKind[] = tcpClientAvailable ? ['lean', 'node'] : ['node'];
  it.each(kinds)('%s: a Connection reads lines and writes over the dialled stream', async (kind) => {
    const port = await serve((s) => {
      s.write('220 ready\r\n');
      s.on('data', (d) => s.end(`250 ${d.toString().trim()}\r\n`));
    });
    const stream = await dialTcp(HOST, port, { timeoutMs: 1000, kind });
    const conn = new Connection(stream, { readTimeoutMs: 1000, maxLineBytes: 100, maxTotalBytes: 1000 });
    expect(await conn.readLine()).toBe('220 ready');
    await conn.write('EHLO x\r\n');
    expect(await conn.readLine()).toBe('250 EHLO x');
    conn.destroy();
  });

  it.each(kinds)('%s: refused, aborted and already-aborted dials are classified', async (kind) => {
    const port = await serve(() => {});
    await new Promise<void>((res) => servers.pop()!.close(() => res()));
    await expect(dialTcp(HOST, port, { timeoutMs: 1000, kind })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const ac = new AbortController();
    ac.abort();
    await expect(dialTcp(HOST, port, { timeoutMs: 1000, kind, signal: ac.signal })).rejects.toMatchObject({ status: 'timeout', reason: 'probe-timeout' });
  });

  // The lean dial's own deadline (TcpClient.dial()), driven by fake timers: the connect's completion
  // needs an event-loop turn, so one still pending when the clock passes the deadline is a silent connect.
  it('lean: a connect still pending at its deadline rejects with connect-timeout at that time, the client destroyed; a completed one leaves no timer', async () => {
    const host = '127.0.105.1';
    const port = await serve(() => {}, host);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let settled = false;
      const outcome = dialTcp(host, port, { timeoutMs: 5000, kind: 'lean' }).then(
        () => ((settled = true), 'connected'),
        (e: unknown) => ((settled = true), e),
      );
      expect(vi.getTimerCount()).toBe(1);
      vi.advanceTimersByTime(4999);
      for (let i = 0; i < 5; i++) await Promise.resolve();
      expect(settled).toBe(false);
      vi.advanceTimersByTime(1);
      expect(await outcome).toMatchObject({ status: 'connect-failed', reason: 'connect-timeout', message: 'connect timed out after 5000 ms' });
      expect(vi.getTimerCount()).toBe(0);
      // Connected before the deadline: the deadline is gone (nothing fires later, nothing keeps the process alive).
      const stream = await dialTcp(host, port, { timeoutMs: 5000, kind: 'lean' });
      expect(stream.destroyed).toBe(false);
      expect(vi.getTimerCount()).toBe(0);
      vi.advanceTimersByTime(10_000);
      expect(stream.destroyed).toBe(false);
      stream.destroy();
    } finally {
      vi.useRealTimers();
    }
  });
});
