import type { ByteStream } from '../net/byte-stream.js';
import type { TlsEngine, TlsHandshakeOptions, TlsHandshakeResult } from './engine.js';
import { ClientHandshake } from './client-handshake.js';
import { profileOf } from './profiles.js';
import { TlsStream } from './tls-stream.js';
import { TlsFailure } from './tls-failure.js';

/**
 * The wildtls TLS engine, written from the bytes up (node:crypto for
 * primitives only). I/O edge around the pure ClientHandshake state machine:
 * per-read deadline, byte cap, abort signal, reset/close classification.
 */
export class RawTlsEngine implements TlsEngine {
  readonly name = 'raw';

  handshake(socket: ByteStream, options: TlsHandshakeOptions): Promise<TlsHandshakeResult> {
    const t0 = performance.now();
    const hs = new ClientHandshake(profileOf(options.profile), {
      ...(options.serverName !== undefined ? { serverName: options.serverName } : {}),
      ...(options.alpn ? { alpn: options.alpn } : {}),
      observeOnly: options.observeOnly,
    });
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
      };
      const finish = () => {
        if (settled) return;
        settled = true;
        cleanup();
        hs.info.handshakeMs = Math.round((performance.now() - t0) * 1000) / 1000;
        if (hs.info.completed && hs.state === 'done') {
          socket.pause();
          const stream = new TlsStream(socket, hs);
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
        if (out && !socket.destroyed) socket.write(out);
        if (hs.state !== 'running') finish();
      };
      const onData = (chunk: Buffer) => {
        received += chunk.length;
        if (received > options.maxBytes) return fail('protocol', `server sent more than ${options.maxBytes} bytes during the handshake`);
        armTimer();
        hs.feed(chunk);
        step();
      };
      const onEnd = () => fail('closed', 'server closed the connection during the handshake');
      const onError = (err: NodeJS.ErrnoException) =>
        fail(err.code === 'ECONNRESET' || err.code === 'EPIPE' ? 'reset' : 'closed', `socket error: ${err.code ?? err.message}`);
      const onAbort = () => fail('timeout', 'probe deadline passed during the handshake');

      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
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
      if (options.initialData?.length) onData(options.initialData);
      if (!settled) socket.resume();
    });
  }
}
