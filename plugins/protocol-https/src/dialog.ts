import { isProbeError, ProbeError, sanitize, type Connection, type DialogContext, type ProbeDialog } from '@wildtls/core';
import './http-record.js';
import { firstHeader, parseHeaders, parseStatusLine, type StatusLine } from './http-response.js';
import { resolveOptions, type HttpsOptions } from './options.js';

/** Interim (1xx) responses skipped before the final one. */
const MAX_INTERIM = 4;

/**
 * The HTTPS baseline: the kernel has done the TLS handshake; we send one
 * `HEAD` request with `Connection: close`, read the status line and headers
 * (under a byte cap, a header count cap and one deadline), and record the
 * status code, Server and Strict-Transport-Security. The body is never read.
 */
export const httpsDialog: ProbeDialog<HttpsOptions> = async (ctx) => {
  const options = resolveOptions(ctx.options);
  const { conn, record } = ctx;
  await conn.write(
    `HEAD ${options.path} HTTP/1.1\r\nHost: ${hostHeader(ctx)}\r\nUser-Agent: ${options.userAgent}\r\nAccept: */*\r\nConnection: close\r\n\r\n`,
  );
  const head = new HeadReader(conn, options);
  for (let interim = 0; ; interim++) {
    const statusText = await head.line('the status line');
    let status: StatusLine;
    try {
      status = parseStatusLine(statusText);
    } catch (err) {
      throw new ProbeError('protocol-error', 'malformed-reply', sanitize(`not an HTTP status line: ${statusText}`, 256), { cause: err });
    }
    // The banner is the final status line (an interim 1xx is overwritten).
    record.banner = sanitize(statusText, 1024);
    const lines: string[] = [];
    for (;;) {
      const l = await head.line('the end of the headers');
      if (l === '') break;
      if (lines.length >= options.maxHeaders) throw new ProbeError('protocol-error', 'reply-too-large', `more than ${options.maxHeaders} header lines`);
      lines.push(l);
    }
    const fields = parseHeaders(lines);
    if (status.status >= 100 && status.status < 200 && status.status !== 101) {
      if (interim >= MAX_INTERIM) throw new ProbeError('protocol-error', 'reply-too-large', `more than ${MAX_INTERIM} interim responses`);
      continue;
    }
    const server = firstHeader(fields, 'server');
    const hsts = firstHeader(fields, 'strict-transport-security');
    record.http = {
      status: status.status,
      ...(server !== undefined ? { server: sanitize(server, 512) } : {}),
      ...(hsts !== undefined ? { hsts: sanitize(hsts, 512) } : {}),
    };
    return 'success';
  }
};

/** Host header: the domain when known, else the IP (IPv6 in brackets); the port unless it is 443. */
function hostHeader(ctx: DialogContext<HttpsOptions>): string {
  const { domain, ip, port } = ctx.target;
  const host = domain ?? (ip.includes(':') ? `[${ip}]` : ip);
  return port === 443 ? host : `${host}:${port}`;
}

/** Reads the response head line by line under one deadline and one byte budget. */
class HeadReader {
  private left: number;
  private readonly deadline: number;

  constructor(private readonly conn: Connection, options: HttpsOptions) {
    this.left = options.maxHeaderBytes;
    this.deadline = Date.now() + conn.limits.readTimeoutMs;
  }

  async line(what: string): Promise<string> {
    const timeoutMs = this.deadline - Date.now();
    if (timeoutMs <= 0) throw new ProbeError('timeout', 'read-timeout', `no ${what} within ${this.conn.limits.readTimeoutMs} ms`);
    const budget = Math.min(this.left, this.conn.limits.maxLineBytes);
    try {
      const l = await this.conn.readLine({ timeoutMs, maxBytes: budget });
      this.left -= l.length + 2;
      return l;
    } catch (err) {
      if (isProbeError(err) && err.reason === 'line-too-long' && budget < this.conn.limits.maxLineBytes) {
        throw new ProbeError('protocol-error', 'reply-too-large', `response head longer than the cap`);
      }
      throw err;
    }
  }
}
