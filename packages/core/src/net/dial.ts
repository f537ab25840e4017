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
  // Read once (the environment is read per process, not per probe).
  return (defaultKind ??= tcpClientAvailable && process.env.WILDTLS_SOCKETS !== 'node' ? 'lean' : 'node');
}

let defaultKind: SocketKind | undefined;

export interface DialOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  kind?: SocketKind;
  /** The error at the deadline (default: a connect-timeout ProbeError); a probe whose deadline is nearer than the connect timeout passes its own. */
  timeoutError?: (timeoutMs: number) => Error;
}

/**
 * Open a TCP connection with a connect deadline and an abort signal. Resolves
 * to a paused ByteStream (resume() or a consumer starts reading); rejects with
 * a ProbeError on timeout or abort, a node:net-style error (code) otherwise.
 */
export function dialTcp(host: string, port: number, options: DialOptions): Promise<ByteStream> {
  return (options.kind ?? defaultSocketKind()) === 'lean' ? dialLean(host, port, options) : dialNode(host, port, options);
}

function dialLean(host: string, port: number, options: DialOptions): Promise<ByteStream> {
  if (options.signal) {
    const client = newTcpClient();
    return withDeadline(client, client.connect(host, port), options);
  }
  // Without a signal (a probe's connect: its deadline is the timeout): the client's own dial(), one
  // promise and one timer, settled by the connect's completion (what withDeadline() does, without closures).
  return newTcpClient().dial(host, port, options.timeoutMs, options.timeoutError ?? connectTimeout);
}

function connectTimeout(timeoutMs: number): ProbeError {
  return new ProbeError('connect-failed', 'connect-timeout', `connect timed out after ${timeoutMs} ms`);
}

function dialNode(host: string, port: number, options: DialOptions): Promise<ByteStream> {
  const socket = connect({ host, port, noDelay: true });
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => {
      socket.pause();
      resolve();
    });
    socket.once('error', reject);
  });
  return withDeadline(socket, connected, options);
}

/** Settle once: the stream when `connected` resolves, else destroy it and reject (connect error, deadline or abort). */
function withDeadline(stream: ByteStream, connected: Promise<void>, { timeoutMs, signal, timeoutError = connectTimeout }: DialOptions): Promise<ByteStream> {
  return new Promise<ByteStream>((resolve, reject) => {
    let done = false;
    /** True for the first call only: the one that settles. */
    const first = () => {
      if (done) return false;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const settle = (err: unknown) => {
      if (!first()) return;
      stream.destroy();
      reject(err);
    };
    const timer = setTimeout(() => settle(timeoutError(timeoutMs)), timeoutMs);
    const onAbort = () => settle(new ProbeError('timeout', 'probe-timeout', 'probe deadline passed while connecting'));
    // Handled before anything can settle: a connect cancelled by destroy() rejects later, and must not go unhandled.
    connected.then(() => {
      if (first()) resolve(stream);
    }, settle);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
