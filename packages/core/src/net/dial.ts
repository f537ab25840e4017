import { connect } from 'node:net';
import { ProbeError } from '../record/status.js';
import type { ByteStream } from './byte-stream.js';
import { newTcpClient, tcpClientAvailable } from './tcp-client.js';

export type SocketKind = 'lean' | 'node';

/**
 * The socket path probes use: the lean TcpClient where this Node exposes
 * libuv's handle, node:net otherwise. WILDTLS_SOCKETS=node forces node:net
 * (for comparison, or should a Node release break the lean path).
 */
export function defaultSocketKind(): SocketKind {
  return tcpClientAvailable && process.env.WILDTLS_SOCKETS !== 'node' ? 'lean' : 'node';
}

export interface DialOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  kind?: SocketKind;
}

/**
 * Open a TCP connection with a connect deadline and an abort signal. Resolves
 * to a paused ByteStream (resume() or a consumer starts reading); rejects with
 * a ProbeError on timeout or abort, a node:net-style error (code) otherwise.
 */
export function dialTcp(host: string, port: number, options: DialOptions): Promise<ByteStream> {
  return (options.kind ?? defaultSocketKind()) === 'lean' ? dialLean(host, port, options) : dialNode(host, port, options);
}

function dialLean(host: string, port: number, { timeoutMs, signal }: DialOptions): Promise<ByteStream> {
  const client = newTcpClient();
  return new Promise<ByteStream>((resolve, reject) => {
    let done = false;
    const settle = (err: Error | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err) {
        client.destroy();
        reject(err);
      } else resolve(client);
    };
    const timer = setTimeout(() => settle(new ProbeError('connect-failed', 'connect-timeout', `connect timed out after ${timeoutMs} ms`)), timeoutMs);
    const onAbort = () => settle(new ProbeError('timeout', 'probe-timeout', 'probe deadline passed while connecting'));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    client.connect(host, port).then(() => settle(undefined), settle);
  });
}

function dialNode(host: string, port: number, { timeoutMs, signal }: DialOptions): Promise<ByteStream> {
  return new Promise<ByteStream>((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ProbeError('connect-failed', 'connect-timeout', `connect timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    const onAbort = () => {
      clearTimeout(timer);
      socket.destroy();
      reject(new ProbeError('timeout', 'probe-timeout', 'probe deadline passed while connecting'));
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.pause();
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(err);
    });
  });
}
