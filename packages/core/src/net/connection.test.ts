import { createServer, type Server, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Connection } from './connection.js';
import { dialTcp, type SocketKind } from './dial.js';
import { LeanEmitter, type StreamSink } from './lean-emitter.js';
import { TlsFailure } from '../tls/tls-failure.js';
import { listenOn } from '../../../../test/harness/listen.js';

function pair(limits: Partial<ConstructorParameters<typeof Connection>[1]> = {}) {
  const stream = new PassThrough();
  const conn = new Connection(stream, { readTimeoutMs: 200, maxLineBytes: 64, maxTotalBytes: 1024, ...limits });
  return { stream, conn };
}

describe('Connection', () => {
  it('reads CRLF and LF lines across chunk boundaries', async () => {
    const { stream, conn } = pair();
    stream.write('220 hel');
    stream.write('lo\r\n250 ok\n');
    expect(await conn.readLine()).toBe('220 hello');
    expect(await conn.readLine()).toBe('250 ok');
  });

  it('classifies an overlong line', async () => {
    const { stream, conn } = pair();
    stream.write('x'.repeat(100));
    await expect(conn.readLine()).rejects.toMatchObject({ status: 'protocol-error', reason: 'line-too-long' });
  });

  it('classifies a read that passes its deadline (slow drip)', async () => {
    const { stream, conn } = pair({ readTimeoutMs: 100 });
    const drip = setInterval(() => stream.write('.'), 30);
    await expect(conn.readLine()).rejects.toMatchObject({ status: 'timeout', reason: 'read-timeout' });
    clearInterval(drip);
  });

  it('each read that waits has its own deadline, on the one timer the connection re-arms', async () => {
    const { stream, conn } = pair({ readTimeoutMs: 100 });
    setTimeout(() => stream.write('220 first\r\n'), 20);
    expect(await conn.readLine()).toBe('220 first');
    // The second read waits again: its deadline fires (a timer not re-armed would leave it waiting for ever).
    await expect(conn.readLine()).rejects.toMatchObject({ status: 'timeout', reason: 'read-timeout' });
    // A third read, after the timer fired with nobody waiting, gets a whole deadline of its own:
    // its line comes in two pieces, and the first piece's wake-up must not see the old firing.
    setTimeout(() => stream.write('250 te'), 20);
    setTimeout(() => stream.write('xt\r\n'), 40);
    expect(await conn.readLine()).toBe('250 text');
    // And the timer, fired once already, fires again for the next read that gets nothing.
    await expect(conn.readLine()).rejects.toMatchObject({ reason: 'read-timeout' });
    // A read with a deadline of another length, then one of the first length again.
    setTimeout(() => stream.write('221 bye\r\n'), 20);
    expect(await conn.readLine({ timeoutMs: 150 })).toBe('221 bye');
    await expect(conn.readLine()).rejects.toMatchObject({ reason: 'read-timeout' });
    conn.close();
  });

  it('holds the process open only while a read waits: between reads its deadline timer is unref()ed', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const { stream, conn } = pair({ readTimeoutMs: 5000 });
    const read = conn.readLine();
    expect(timers()).toBe(before + 1);
    stream.write('220 hello\r\n');
    expect(await read).toBe('220 hello');
    // A connection a caller drops without close() must not keep a scan's process alive for 5 s.
    expect(timers()).toBe(before);
    const again = conn.readLine();
    expect(timers()).toBe(before + 1);
    stream.write('250 ok\r\n');
    expect(await again).toBe('250 ok');
    conn.close();
    expect(timers()).toBe(before);
  });

  it('takeLine returns a buffered line at once and undefined when none is complete', async () => {
    const { stream, conn } = pair();
    expect(conn.takeLine()).toBeUndefined();
    stream.write('250-a\r\n250-b\n250 c');
    await new Promise((r) => setImmediate(r));
    expect([conn.takeLine(), conn.takeLine(), conn.takeLine()]).toEqual(['250-a', '250-b', undefined]);
    stream.write('\r\n');
    expect(await conn.readLine()).toBe('250 c');
    stream.write('x'.repeat(100));
    await new Promise((r) => setImmediate(r));
    expect(() => conn.takeLine()).toThrow(expect.objectContaining({ reason: 'line-too-long' }));
  });

  it('caps the bytes of a whole connection', async () => {
    const { stream, conn } = pair({ maxTotalBytes: 100 });
    for (let i = 0; i < 10; i++) stream.write('0123456789abcdef\n');
    const read = async () => {
      for (;;) await conn.readLine();
    };
    await expect(read()).rejects.toMatchObject({ reason: 'reply-too-large' });
  });

  it('reports a closed connection', async () => {
    const { stream, conn } = pair();
    stream.end('partial');
    await expect(conn.readLine()).rejects.toMatchObject({ reason: 'connection-closed' });
  });

  it('hands over buffered bytes on detach and continues on a new stream', async () => {
    const { stream, conn } = pair();
    stream.write('220 go\r\nEXTRA');
    expect(await conn.readLine()).toBe('220 go');
    const { leftover } = conn.detach();
    expect(leftover?.toString()).toBe('EXTRA');
    const next = new PassThrough();
    conn.attach(next);
    next.write('after\n');
    expect(await conn.readLine()).toBe('after');
    // Nothing buffered: no leftover at all.
    expect(conn.detach().leftover).toBeUndefined();
  });
});

/** A core LeanEmitter stream (as the lean socket and the TLS stream are): its events emitted by hand. */
class LeanStream extends LeanEmitter {
  destroyed = false;
  flowing = false;
  written: Buffer[] = [];
  write(data: Buffer | string, cb?: (err?: Error | null) => void): boolean {
    this.written.push(Buffer.from(data));
    cb?.();
    return true;
  }
  end(): this {
    return this;
  }
  destroy(): this {
    this.destroyed = true;
    return this;
  }
  pause(): this {
    this.flowing = false;
    return this;
  }
  resume(): this {
    this.flowing = true;
    return this;
  }
}

const streamEvents = ['data', 'end', 'close', 'error'] as const;
const counts = (s: LeanEmitter) => streamEvents.map((e) => s.listenerCount(e));
const listenerLists = (s: LeanEmitter) => streamEvents.map((e) => s.listeners(e).length);

describe('Connection over a core LeanEmitter stream: its sink, not four listeners', () => {
  const limits = { readTimeoutMs: 300, maxLineBytes: 64, maxTotalBytes: 1024 };

  it('hears the stream as its sink, a third party\'s listeners beside it; detach frees the slot for the next owner', async () => {
    const socket = new LeanStream();
    const conn = new Connection(socket, limits);
    expect(socket.flowing).toBe(true);
    // One consumer of each event, and no listener added: the sink slot.
    expect(counts(socket)).toEqual([1, 1, 1, 1]);
    expect(listenerLists(socket)).toEqual([0, 0, 0, 0]);
    const seen: string[] = [];
    socket.on('data', (d: Buffer) => seen.push(d.toString()));
    socket.emit('data', Buffer.from('220 hi\r\n'));
    expect(await conn.readLine()).toBe('220 hi');
    expect(seen).toEqual(['220 hi\r\n']);
    socket.off('data', socket.listeners('data')[0]!);

    // The upgrade: detach releases the slot (the handshake and then the TLS stream take it)...
    const { stream } = conn.detach();
    expect(stream).toBe(socket);
    expect(counts(socket)).toEqual([0, 0, 0, 0]);
    const handshake: StreamSink = { onStreamData() {}, onStreamEnd() {}, onStreamClose() {}, onStreamError() {} };
    expect(socket.takeSink(handshake)).toBe(true);
    // ...and the connection continues on the new stream as its sink.
    const tls = new LeanStream();
    conn.attach(tls);
    expect(tls.flowing).toBe(true);
    expect(listenerLists(tls)).toEqual([0, 0, 0, 0]);
    expect(counts(tls)).toEqual([1, 1, 1, 1]);
    tls.emit('data', Buffer.from('250 after\n'));
    expect(await conn.readLine()).toBe('250 after');
    // Bytes on the old stream no longer reach the connection.
    expect(conn.takeLine()).toBeUndefined();
    tls.emit('end');
    await expect(conn.readLine()).rejects.toMatchObject({ reason: 'connection-closed', message: 'server closed the connection' });
  });

  it('after close() it stays the sink for a late error (no throw) and reads nothing more', async () => {
    const socket = new LeanStream();
    const conn = new Connection(socket, limits);
    socket.emit('data', Buffer.from('22'));
    conn.close();
    expect(socket.destroyed).toBe(true);
    // emit('error') with no consumer at all would throw: the sink still takes it.
    expect(() => socket.emit('error', new Error('late reset'))).not.toThrow();
    socket.emit('data', Buffer.from('0 more\r\n'));
    expect(conn.bytesReceived).toBe(2);
    await expect(conn.readLine()).rejects.toMatchObject({ reason: 'connection-closed' });
  });

  it('a stream whose slot another sink holds is heard by listeners, as any other stream', async () => {
    const socket = new LeanStream();
    const other: StreamSink = { onStreamData() {}, onStreamEnd() {}, onStreamClose() {}, onStreamError() {} };
    socket.takeSink(other);
    const conn = new Connection(socket, limits);
    expect(listenerLists(socket)).toEqual([1, 1, 1, 1]);
    socket.emit('data', Buffer.from('220 by listener\n'));
    expect(await conn.readLine()).toBe('220 by listener');
    conn.detach();
    expect(listenerLists(socket)).toEqual([0, 0, 0, 0]);
    const next = new PassThrough();
    conn.attach(next);
    next.write('250 node stream\n');
    expect(await conn.readLine()).toBe('250 node stream');
    conn.close();
    // Its 'error' listener stays after close(), as before.
    expect(next.listenerCount('error')).toBeGreaterThan(0);
    expect(next.listenerCount('data')).toBe(0);
  });
});

describe('Connection: whose fault a stream error is', () => {
  it('our bug behind a broken TLS stream (kind internal) is internal-error, not the server\'s protocol error', async () => {
    const { stream, conn } = pair();
    const read = conn.readLine();
    stream.destroy(new TlsFailure('internal', 'internal error: TypeError: boom'));
    await expect(read).rejects.toMatchObject({ status: 'internal-error', reason: 'internal' });
  });

  it('the server breaking the TLS session is protocol-error / tls-protocol', async () => {
    const { stream, conn } = pair();
    const read = conn.readLine();
    stream.destroy(new TlsFailure('protocol', 'record MAC mismatch (bad_record_mac)'));
    await expect(read).rejects.toMatchObject({ status: 'protocol-error', reason: 'tls-protocol' });
  });

  it('a reset is connection-reset; an unknown exception is internal-error', async () => {
    const a = pair();
    const r1 = a.conn.readLine();
    a.stream.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    await expect(r1).rejects.toMatchObject({ status: 'protocol-error', reason: 'connection-reset' });
    const b = pair();
    const r2 = b.conn.readLine();
    b.stream.emit('error', new TypeError('x is not a function'));
    await expect(r2).rejects.toMatchObject({ status: 'internal-error', reason: 'internal' });
  });

  it('a write after the server ended the stream is connection-closed', async () => {
    const { stream, conn } = pair();
    stream.end();
    stream.destroy();
    await expect(conn.write('QUIT\r\n')).rejects.toMatchObject({ status: 'protocol-error', reason: 'connection-closed' });
  });
});

/** A loopback server (127.0.106.1) that hands each accepted socket to `onSocket`. */
async function listen(onSocket: (s: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(onSocket);
  return { server, port: await listenOn(server, 0, '127.0.106.1') };
}

describe('Connection.send', () => {
  for (const kind of ['lean', 'node'] as SocketKind[]) {
    it(`${kind} socket: the commands arrive in order, each send settled before the next (a promise only when the write's callback came later)`, async () => {
      let got = '';
      const { server, port } = await listen((s) => {
        s.setEncoding('latin1');
        s.on('data', (d: string) => {
          got += d;
          if (got.endsWith('QUIT\r\n')) s.end('221 bye\r\n');
          else s.write('250 ok\r\n');
        });
      });
      try {
        const conn = new Connection(await dialTcp('127.0.106.1', port, { timeoutMs: 2000, kind }), { readTimeoutMs: 2000, maxLineBytes: 64, maxTotalBytes: 1024 });
        const results: (Promise<void> | undefined)[] = [];
        const replies: string[] = [];
        for (const cmd of ['EHLO a\r\n', 'STARTTLS\r\n', 'QUIT\r\n']) {
          const sent = conn.send(Buffer.from(cmd, 'latin1'));
          results.push(sent);
          if (sent) await sent;
          replies.push(await conn.readLine());
        }
        expect(replies).toEqual(['250 ok', '250 ok', '221 bye']);
        expect(got).toBe('EHLO a\r\nSTARTTLS\r\nQUIT\r\n');
        // The lean socket's write to an idle connection completes at once: no promise; node:net calls back later.
        expect(results.map((r) => r === undefined)).toEqual(kind === 'lean' ? [true, true, true] : [false, false, false]);
        conn.close();
      } finally {
        server.close();
      }
    });

    it(`${kind} socket: a send to a peer that reset the connection fails as write() does, classified`, async () => {
      const { server, port } = await listen((s) => s.once('data', () => s.resetAndDestroy()));
      try {
        const conn = new Connection(await dialTcp('127.0.106.1', port, { timeoutMs: 2000, kind }), { readTimeoutMs: 2000, maxLineBytes: 64, maxTotalBytes: 1024 });
        const ehlo = conn.send(Buffer.from('EHLO a\r\n'));
        if (ehlo) await ehlo;
        await expect(conn.readLine()).rejects.toMatchObject({ reason: 'connection-reset' });
        // The failure is known: send and write reject alike, at once.
        const sent = conn.send(Buffer.from('QUIT\r\n'));
        expect(sent).toBeInstanceOf(Promise);
        const a = await sent!.catch((e: unknown) => e);
        const b = await conn.write(Buffer.from('QUIT\r\n')).catch((e: unknown) => e);
        expect(a).toMatchObject({ status: 'protocol-error', reason: 'connection-reset' });
        expect(a).toMatchObject(b as object);
        conn.close();
      } finally {
        server.close();
      }
    });
  }

  it("a stream that calls back later, or with an error: send's promise settles as write()'s, and a send while one is pending is a write()", async () => {
    const calls: ((err?: Error | null) => void)[] = [];
    const written: string[] = [];
    const stream = new PassThrough();
    (stream as unknown as { write: unknown }).write = (data: Buffer, cb: (err?: Error | null) => void) => {
      written.push(data.toString());
      calls.push(cb);
      return true;
    };
    const conn = new Connection(stream, { readTimeoutMs: 200, maxLineBytes: 64, maxTotalBytes: 1024 });
    const first = conn.send(Buffer.from('A'));
    const second = conn.send(Buffer.from('B'));
    expect(first).toBeInstanceOf(Promise);
    expect(second).toBeInstanceOf(Promise);
    let settled = false;
    void first!.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    calls[0]!();
    calls[1]!();
    await first;
    await second;
    expect(settled).toBe(true);
    // Idle again: the next send is its own; its callback fails with a reset.
    const third = conn.send(Buffer.from('C'));
    calls[2]!(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    await expect(third).rejects.toMatchObject({ status: 'protocol-error', reason: 'connection-reset' });
    // A stream that calls back at once with an error: rejected at once, classified.
    (stream as unknown as { write: unknown }).write = (_: Buffer, cb: (err?: Error | null) => void) => {
      cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      return false;
    };
    await expect(conn.send(Buffer.from('E'))).rejects.toMatchObject({ status: 'protocol-error', reason: 'connection-reset' });
    // And a stream that throws in write(): rejected with that error, unclassified, as write()'s executor did.
    (stream as unknown as { write: unknown }).write = () => {
      throw new TypeError('boom');
    };
    await expect(conn.send(Buffer.from('D'))).rejects.toThrow(TypeError);
    await expect(conn.write(Buffer.from('D'))).rejects.toThrow(TypeError);
    expect(written).toEqual(['A', 'B', 'C']);
  });
});
