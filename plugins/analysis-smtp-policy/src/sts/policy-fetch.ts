import { request } from 'node:https';
import type { LookupFunction } from 'node:net';

/**
 * Why a policy fetch failed (RFC 8461 3.3): the policy host does not
 * resolve, the connection or TLS failed, the certificate does not validate
 * for mta-sts.<domain>, the answer is a redirect (never followed), another
 * status than 200, a media type other than text/plain, more than the size
 * cap, or no answer before the deadline.
 */
export type FetchFailure = 'no-address' | 'connect' | 'certificate' | 'redirect' | 'http-status' | 'content-type' | 'too-large' | 'timeout';

export type FetchResult = { ok: true; text: string } | { ok: false; cause: FetchFailure; why: string };

export interface FetchSettings {
  /** Trust anchors (PEM) for the policy host's certificate; default: Node's bundled Mozilla store. */
  ca?: string;
  timeoutMs: number;
  /** RFC 8461 3.3 suggests 64 KiB. */
  maxBytes: number;
}

/** OpenSSL's and Node's codes for a certificate that does not validate or name the host. */
const CERT_CODES = /CERT|SELF_SIGNED|UNABLE_TO_GET_ISSUER|UNABLE_TO_VERIFY|ALTNAME|HOSTNAME|SIGNATURE_FAILURE|UNTRUSTED/;

/**
 * GET https://mta-sts.<domain>/.well-known/mta-sts.txt, connecting to
 * `address` (resolved through the analysis's resolver, not the system's),
 * with SNI and certificate checks for the policy host name.
 */
export function fetchPolicy(domain: string, address: string | undefined, s: FetchSettings): Promise<FetchResult> {
  const host = `mta-sts.${domain}`;
  if (!address) return Promise.resolve({ ok: false, cause: 'no-address', why: `${host} has no address` });
  const lookup: LookupFunction = (_name, options, cb) => {
    const family = address.includes(':') ? 6 : 4;
    if ((options as { all?: boolean }).all) (cb as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address, family }]);
    else cb(null, address, family);
  };
  return new Promise((resolve) => {
    let settled = false;
    const finish = (r: FetchResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(r);
    };
    const req = request({ host, servername: host, port: 443, path: '/.well-known/mta-sts.txt', method: 'GET', lookup, ...(s.ca ? { ca: s.ca } : {}), headers: { accept: 'text/plain' }, agent: false }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) return finish({ ok: false, cause: 'redirect', why: `${status} to ${String(res.headers.location ?? '').slice(0, 200)}` });
      if (status !== 200) return finish({ ok: false, cause: 'http-status', why: `HTTP ${status}` });
      const type = String(res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'text/plain') return finish({ ok: false, cause: 'content-type', why: `media type ${type.slice(0, 100) || 'missing'}` });
      const declared = Number(res.headers['content-length']);
      if (declared > s.maxBytes) return finish({ ok: false, cause: 'too-large', why: `Content-Length ${declared} above ${s.maxBytes}` });
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (d: Buffer) => {
        size += d.length;
        if (size > s.maxBytes) return finish({ ok: false, cause: 'too-large', why: `more than ${s.maxBytes} bytes` });
        chunks.push(d);
      });
      res.on('end', () => finish({ ok: true, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err) => finish({ ok: false, cause: 'connect', why: err.message }));
    });
    const timer = setTimeout(() => finish({ ok: false, cause: 'timeout', why: `no complete answer in ${s.timeoutMs} ms` }), s.timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? '';
      finish({ ok: false, cause: CERT_CODES.test(code) ? 'certificate' : 'connect', why: `${code} ${err.message}`.trim().slice(0, 300) });
    });
    req.end();
  });
}
