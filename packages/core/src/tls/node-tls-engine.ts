import { Duplex } from 'node:stream';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { ByteBudget } from '../net/byte-budget.js';
import type { ByteStream } from '../net/byte-stream.js';
import { ProbeError } from '../record/status.js';
import type { TlsInfo, TlsVersion } from '../record/tls-schema.js';
import { cipherSuiteById, cipherSuiteId } from './cipher-suites.js';
import type { TlsEngine, TlsHandshakeOptions, TlsHandshakeResult } from './engine.js';
import { alertName } from './names.js';
import { ServerHelloTap } from './server-hello-tap.js';

const VERSIONS: Record<string, TlsVersion> = {
  SSLv3: 'SSLv3',
  TLSv1: 'TLSv1.0',
  'TLSv1.1': 'TLSv1.1',
  'TLSv1.2': 'TLSv1.2',
  'TLSv1.3': 'TLSv1.3',
};

/** OpenSSL curve names to the IANA group names the raw engine records. */
const GROUPS: Record<string, string> = { prime256v1: 'secp256r1', secp384r1: 'secp384r1', secp521r1: 'secp521r1', x25519: 'x25519', x448: 'x448' };

/** What `tls.profile` says for this engine: node:tls offers its own ClientHello, not a wildtls profile. */
export const NODE_TLS_PROFILE = 'node:tls';

type ErrorKind = NonNullable<TlsInfo['error']>['kind'];

/**
 * The stock node:tls client behind the engine interface: a reference for
 * benchmarks and interop checks. It records only what node:tls did: its own
 * ClientHello (`tls.profile` 'node:tls', whatever profile was asked for), the
 * suite's IANA id, and a completed handshake as completed (in observe-only
 * mode too, then it closes). It cannot see the chain exactly as sent (node
 * re-orders it and appends a trusted root), nor offer legacy suites. Every raw
 * byte from the server is charged to the byte budget before node:tls sees it,
 * for the life of the connection.
 */
export class NodeTlsEngine implements TlsEngine {
  readonly name = 'node';
  readonly watchesDeadline = true;

  handshake(socket: ByteStream, options: TlsHandshakeOptions): Promise<TlsHandshakeResult> {
    const t0 = performance.now();
    const budget = options.budget ?? new ByteBudget(options.maxBytes);
    const tap = new ServerHelloTap();
    return new Promise<TlsHandshakeResult>((resolve) => {
      let done = false;
      let ocsp: Buffer | undefined;
      let timer: NodeJS.Timeout | undefined;
      const failed = (kind: ErrorKind, message: string, extra: Partial<TlsInfo> = {}): TlsInfo => ({ chain: [], ocspStapled: false, completed: false, profile: NODE_TLS_PROFILE, ...extra, error: { kind, message } });
      const finish = (info: TlsInfo, stream?: TLSSocket, internalError?: unknown) => {
        if (done) return;
        done = true;
        tap.release();
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (options.deadline) options.deadline.onExpire = undefined;
        info.handshakeMs = Math.round((performance.now() - t0) * 1000) / 1000;
        if (!stream) {
          tls.on('error', () => {});
          tls.destroy();
        }
        resolve({ info, ...(stream ? { stream } : {}), ...(internalError !== undefined ? { internalError } : {}) });
      };
      const armTimer = () => {
        if (timer) timer.refresh();
        else timer = setTimeout(() => finish(failed('timeout', `no reply within ${options.readTimeoutMs} ms`)), options.readTimeoutMs);
      };
      const initial = options.initialData;
      // Bytes read before the handshake: with a shared budget, whoever read them has charged them already.
      if (initial?.length && !options.budget && !budget.charge(initial.length)) {
        socket.destroy();
        return resolve({ info: failed('protocol', `server sent more than ${budget.limit} bytes during the handshake`) });
      }
      if (initial?.length) tap.push(initial);
      const raw = meteredDuplex(socket, initial, (chunk) => {
        if (!budget.charge(chunk.length)) {
          const message = `server sent more than ${budget.limit} bytes`;
          if (!done) finish(failed('protocol', `${message} during the handshake`));
          return new ProbeError('protocol-error', 'reply-too-large', message);
        }
        if (!done) {
          tap.push(chunk);
          armTimer();
        }
        return undefined;
      });
      const tls: TLSSocket = tlsConnect({
        socket: raw,
        // requestOCSP is a documented option missing from @types/node's ConnectionOptions.
        ...({ requestOCSP: true } as object),
        servername: options.serverName,
        rejectUnauthorized: false,
        ALPNProtocols: options.alpn,
        minVersion: 'TLSv1',
        ciphers: 'ALL:@SECLEVEL=0',
      });
      const onAbort = () => finish(failed('timeout', 'probe deadline passed during the handshake'));
      if (options.signal?.aborted || options.deadline?.expired) return onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.deadline) options.deadline.onExpire = onAbort;
      armTimer();
      tls.on('OCSPResponse', (r: Buffer) => {
        ocsp = r;
      });
      tls.once('secureConnect', () => {
        if (done) return;
        let info: TlsInfo;
        try {
          info = observed(tls, tap, ocsp);
        } catch (e) {
          // Reading node:tls's own view failed: our bug, not the server's doing.
          return finish(failed('internal', `internal error: ${(e as Error)?.message ?? String(e)}`), undefined, e);
        }
        if (!options.observeOnly) return finish(info, tls);
        // node:tls completed the handshake: say so, then close (observe-only keeps no stream).
        tls.end();
        finish(info);
      });
      tls.once('error', (err: NodeJS.ErrnoException) => {
        const alert = /alert number (\d+)/.exec(err.message);
        if (alert) {
          const code = Number(alert[1]);
          return finish(failed('alert', err.message, { alert: { level: 'fatal', description: alertName(code), code } }));
        }
        const kind = errorKind(err.code);
        finish(failed(kind, kind === 'internal' ? `internal error: ${err.message}` : err.message), undefined, kind === 'internal' ? err : undefined);
      });
      tls.once('close', () => finish(failed('closed', 'server closed the connection during the handshake')));
    });
  }
}

/**
 * A node:tls handshake error by its code: the peer's reset or close, OpenSSL's
 * verdict on the server's bytes, node's refusal of a server choice (a DH
 * prime under 1024 bits); anything else is unexpected, so ours.
 */
function errorKind(code: string | undefined): ErrorKind {
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED') return 'reset';
  if (code?.startsWith('ERR_SSL_') || code?.startsWith('ERR_OSSL_')) return 'protocol';
  if (code === 'ERR_TLS_DH_PARAM_SIZE') return 'unsupported';
  if (code && /^E[A-Z]+$/.test(code)) return 'closed';
  return 'internal';
}

/** The record's `tls` part from node:tls's view of a completed handshake. */
function observed(tls: TLSSocket, tap: ServerHelloTap, ocsp: Buffer | undefined): TlsInfo {
  const cipher = tls.getCipher();
  const name = cipher.standardName ?? cipher.name;
  const id = cipherSuiteId(name) ?? tap.cipherSuite();
  const eph = tls.getEphemeralKeyInfo() as { type?: string; name?: string; size?: number } | null;
  const chain: string[] = [];
  let cert = tls.getPeerX509Certificate();
  const seen = new Set<string>();
  while (cert && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(cert.raw.toString('base64'));
    cert = cert.issuerCertificate;
  }
  const protocol = tls.getProtocol() ?? '';
  const info: TlsInfo = {
    ...(VERSIONS[protocol] ? { version: VERSIONS[protocol] } : {}),
    ...(id !== undefined ? { cipherSuite: { id, name } } : {}),
    chain,
    ocspStapled: !!ocsp && ocsp.length > 0,
    ...(ocsp?.length ? { ocspResponse: ocsp.toString('base64') } : {}),
    ...(typeof tls.alpnProtocol === 'string' ? { alpn: tls.alpnProtocol } : {}),
    profile: NODE_TLS_PROFILE,
    completed: true,
  };
  const group = eph?.name ? GROUPS[eph.name.toLowerCase()] ?? eph.name.toLowerCase() : undefined;
  const bits = eph?.size;
  if (protocol === 'TLSv1.3') info.keyExchange = { kind: 'TLS13', ...(group ? { group } : {}), ...(bits ? { bits } : {}) };
  else if (eph?.type === 'ECDH') info.keyExchange = { kind: 'ECDHE', ...(group ? { group } : {}), ...(bits ? { bits } : {}) };
  else if (eph?.type === 'DH') info.keyExchange = { kind: 'DHE', ...(bits ? { bits } : {}) };
  else {
    const kex = id !== undefined ? cipherSuiteById(id)?.kex : undefined;
    info.keyExchange = { kind: kex === 'RSA' ? 'RSA' : 'other' };
  }
  return info;
}

/**
 * A node Duplex over the socket for node:tls, which hands every raw chunk to
 * `meter` first: when that returns an error the chunk is dropped and the
 * connection destroyed with it. `initialData` (read before the handshake, and
 * metered by the caller) goes first.
 */
function meteredDuplex(socket: ByteStream, initialData: Buffer | undefined, meter: (chunk: Buffer) => Error | undefined): Duplex {
  const d = new Duplex({
    read: () => void socket.resume(),
    write: (chunk: Buffer, _enc, cb) => void socket.write(chunk, cb),
    final: (cb) => {
      socket.end();
      cb();
    },
    destroy: (err, cb) => {
      socket.destroy();
      cb(err);
    },
  });
  const onData = (chunk: Buffer) => {
    const over = meter(chunk);
    if (over) {
      socket.off('data', onData);
      d.destroy(over);
      return;
    }
    if (!d.push(chunk)) socket.pause();
  };
  if (initialData?.length) d.push(initialData);
  socket.on('data', onData);
  socket.on('end', () => d.push(null));
  socket.on('close', () => {
    if (!d.readableEnded) d.push(null);
  });
  socket.on('error', (err: Error) => d.destroy(err));
  return d;
}
