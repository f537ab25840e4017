import type { ByteStream } from '../net/byte-stream.js';
import type { TlsEngine, TlsHandshakeOptions, TlsHandshakeResult } from './engine.js';
import { ClientHandshake } from './client-handshake.js';
import { profileOf } from './profiles.js';
import { TlsStream } from './tls-stream.js';
import { TlsFailure } from './tls-failure.js';
import type { TlsLimits } from './limits.js';

/**
 * The wildtls TLS engine, written from the bytes up (node:crypto for
 * primitives only). I/O edge around the pure ClientHandshake state machine:
 * per-read deadline, byte cap, probe deadline (an abort signal, or the lighter `deadline`),
 * reset/close classification.
 * `limits` overrides the caps of limits.ts (the defaults suit a scan; the
 * hostile-input benchmark lifts them to show the code under them is linear).
 */
export class RawTlsEngine implements TlsEngine {
  readonly name = 'raw';
  readonly watchesDeadline = true;

  constructor(private readonly options: { limits?: Partial<TlsLimits> } = {}) {}

  handshake(socket: ByteStream, options: TlsHandshakeOptions): Promise<TlsHandshakeResult> {
    const t0 = performance.now();
    // One shape for every handshake (absent options are undefined, as ClientHandshake reads them).
    const hs = new ClientHandshake(profileOf(options.profile), {
      serverName: options.serverName,
      alpn: options.alpn,
      observeOnly: options.observeOnly,
      keyShareReuse: options.keyShareReuse,
      limits: this.options.limits,
    });
    const budget = options.budget;
    const deadline = options.deadline;
    return new Promise<TlsHandshakeResult>((resolve) => {
      let settled = false;
      let received = 0;
      let timer: NodeJS.Timeout | undefined;
      // One timer per handshake, re-armed by refresh() on each read (cheaper than a new timer per chunk).
      const armTimer = () => {
        if (timer) timer.refresh();
        else timer = setTimeout(() => fail('timeout', `no reply within ${options.readTimeoutMs} ms`), options.readTimeoutMs);
      };
      const cleanup = () => {
        if (timer) clearTimeout(timer);
        socket.off('data', onData);
        socket.off('end', onEnd);
        socket.off('close', onEnd);
        socket.off('error', onError);
        options.signal?.removeEventListener('abort', onAbort);
        if (deadline) deadline.onExpire = undefined;
      };
      /** `flight`: our last handshake flight (Finished), not written yet: the TLS stream sends it with what follows. */
      const finish = (flight?: Buffer) => {
        if (settled) return;
        settled = true;
        cleanup();
        hs.info.handshakeMs = Math.round((performance.now() - t0) * 1000) / 1000;
        if (hs.info.completed && hs.state === 'done') {
          socket.pause();
          const stream = new TlsStream(socket, hs, budget, flight);
          resolve({ info: hs.info, stream });
          return;
        }
        // A late error on the dead socket must not become an uncaught exception.
        socket.on('error', () => {});
        socket.destroy();
        resolve({ info: hs.info, ...(hs.failure?.kind === 'internal' ? { internalError: hs.failure.cause } : {}) });
      };
      const fail = (kind: 'timeout' | 'reset' | 'closed' | 'protocol', message: string) => {
        if (settled) return;
        hs.failWith(new TlsFailure(kind, message));
        finish();
      };
      const step = () => {
        const out = hs.drain();
        // The flight that completes the handshake waits for the caller's first write (see TlsStream).
        if (hs.state === 'done' && hs.info.completed) return finish(out);
        if (out && !socket.destroyed) socket.write(out);
        if (hs.state !== 'running') finish();
      };
      // With a budget, bytes read from the socket are charged to it (initialData was charged by whoever read it);
      // without one, everything the handshake sees counts against maxBytes.
      const overCap = (chunk: Buffer, fromSocket: boolean): string | undefined => {
        if (budget) {
          if (!fromSocket || budget.charge(chunk.length)) return undefined;
          return `server sent more than ${budget.limit} bytes in this probe (the per-probe byte cap), passed during the handshake`;
        }
        received += chunk.length;
        return received > options.maxBytes ? `server sent more than ${options.maxBytes} bytes during the handshake` : undefined;
      };
      const onBytes = (chunk: Buffer, fromSocket: boolean) => {
        const over = overCap(chunk, fromSocket);
        if (over) return fail('protocol', over);
        armTimer();
        hs.feed(chunk);
        step();
      };
      const onData = (chunk: Buffer) => onBytes(chunk, true);
      const onEnd = () => fail('closed', 'server closed the connection during the handshake');
      const onError = (err: NodeJS.ErrnoException) =>
        fail(err.code === 'ECONNRESET' || err.code === 'EPIPE' ? 'reset' : 'closed', `socket error: ${err.code ?? err.message}`);
      const onAbort = () => fail('timeout', 'probe deadline passed during the handshake');

      if (options.signal?.aborted || deadline?.expired) return onAbort();
      options.signal?.addEventListener('abort', onAbort, ONCE);
      if (deadline) deadline.onExpire = onAbort;
      socket.on('data', onData);
      socket.on('end', onEnd);
      socket.on('close', onEnd);
      socket.on('error', onError);
      try {
        hs.start();
      } catch (e) {
        hs.failWith(e);
      }
      step();
      if (settled) return;
      armTimer();
      if (options.initialData?.length) onBytes(options.initialData, false);
      if (!settled) socket.resume();
    });
  }
}

/** addEventListener's options, one object for every handshake. */
const ONCE = Object.freeze({ once: true });
