import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { asDuplex, type ByteStream } from '../net/byte-stream.js';
import type { TlsInfo, TlsVersion } from '../record/tls-schema.js';
import type { TlsEngine, TlsHandshakeOptions, TlsHandshakeResult } from './engine.js';

const VERSIONS: Record<string, TlsVersion> = {
  SSLv3: 'SSLv3',
  TLSv1: 'TLSv1.0',
  'TLSv1.1': 'TLSv1.1',
  'TLSv1.2': 'TLSv1.2',
  'TLSv1.3': 'TLSv1.3',
};

/**
 * The stock node:tls client behind the engine interface: a reference for
 * benchmarks and interop checks. It cannot see the chain exactly as sent
 * (node re-orders it and appends a trusted root), nor offer legacy suites.
 */
export class NodeTlsEngine implements TlsEngine {
  readonly name = 'node';

  handshake(socket: ByteStream, options: TlsHandshakeOptions): Promise<TlsHandshakeResult> {
    const t0 = performance.now();
    return new Promise<TlsHandshakeResult>((resolve) => {
      let done = false;
      let ocsp: Buffer | undefined;
      const tls: TLSSocket = tlsConnect({
        socket: asDuplex(socket),
        // requestOCSP is a documented option missing from @types/node's ConnectionOptions.
        ...({ requestOCSP: true } as object),
        servername: options.serverName,
        rejectUnauthorized: false,
        ALPNProtocols: options.alpn,
        minVersion: 'TLSv1',
        ciphers: 'ALL:@SECLEVEL=0',
      });
      const finish = (info: TlsInfo, stream?: TLSSocket) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        info.handshakeMs = Math.round((performance.now() - t0) * 1000) / 1000;
        if (!stream) tls.destroy();
        resolve({ info, ...(stream ? { stream } : {}) });
      };
      const timer = setTimeout(() => {
        finish({ chain: [], ocspStapled: false, completed: false, error: { kind: 'timeout', message: `no handshake within ${options.readTimeoutMs} ms` } });
      }, options.readTimeoutMs);
      tls.on('OCSPResponse', (r: Buffer) => {
        ocsp = r;
      });
      tls.once('secureConnect', () => {
        const cipher = tls.getCipher();
        const eph = tls.getEphemeralKeyInfo() as { type?: string; name?: string; size?: number } | null;
        const chain: string[] = [];
        let cert = tls.getPeerX509Certificate();
        const seen = new Set<string>();
        while (cert && !seen.has(cert.fingerprint256)) {
          seen.add(cert.fingerprint256);
          chain.push(cert.raw.toString('base64'));
          cert = cert.issuerCertificate;
        }
        const info: TlsInfo = {
          version: VERSIONS[tls.getProtocol() ?? ''] ?? undefined,
          cipherSuite: { id: 0, name: cipher.standardName ?? cipher.name },
          chain,
          ocspStapled: !!ocsp && ocsp.length > 0,
          ...(ocsp?.length ? { ocspResponse: ocsp.toString('base64') } : {}),
          ...(typeof tls.alpnProtocol === 'string' ? { alpn: tls.alpnProtocol } : {}),
          completed: !options.observeOnly,
        };
        if (tls.getProtocol() === 'TLSv1.3') info.keyExchange = { kind: 'TLS13', group: eph?.name?.toLowerCase(), bits: eph?.size };
        else if (eph?.type === 'ECDH') info.keyExchange = { kind: 'ECDHE', group: eph.name?.toLowerCase(), bits: eph.size };
        else if (eph?.type === 'DH') info.keyExchange = { kind: 'DHE', bits: eph.size };
        else info.keyExchange = { kind: 'RSA' };
        if (options.observeOnly) info.notCompletedReason = 'observe-only';
        finish(info, options.observeOnly ? undefined : tls);
      });
      tls.once('error', (err: NodeJS.ErrnoException) => {
        const alert = /alert number (\d+)/.exec(err.message);
        const kind = alert ? 'alert' : err.code === 'ECONNRESET' ? 'reset' : 'protocol';
        finish({ chain: [], ocspStapled: false, completed: false, error: { kind, message: err.message } });
      });
      tls.once('close', () => finish({ chain: [], ocspStapled: false, completed: false, error: { kind: 'closed', message: 'server closed the connection during the handshake' } }));
    });
  }
}
