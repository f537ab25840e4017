import { RawTlsEngine, dialTcp, resolveProfile, type SocketKind, type TlsHandshakeResult } from '@wildtls/core';

/** Handshake with the raw engine, send `request`, collect the reply until `until` matches or the peer closes. */
export async function handshakeAndTalk(
  host: string,
  port: number,
  profile: Record<string, unknown> | string,
  request: string,
  until: RegExp,
  opts: { observeOnly?: boolean; serverName?: string; sockets?: SocketKind } = {},
): Promise<TlsHandshakeResult & { reply: string }> {
  const p = typeof profile === 'string' ? resolveProfile(profile, {}) : resolveProfile('cell', { cell: profile });
  // The scanner's own dial: the lean socket unless a cell asks for node:net.
  const socket = await dialTcp(host, port, { timeoutMs: 5000, ...(opts.sockets ? { kind: opts.sockets } : {}) });
  socket.on('error', () => {});
  const result = await new RawTlsEngine().handshake(socket, {
    profile: p,
    observeOnly: opts.observeOnly ?? false,
    readTimeoutMs: 5000,
    maxBytes: 1 << 20,
    serverName: opts.serverName ?? 'localhost',
  });
  let reply = '';
  const stream = result.stream;
  if (stream) {
    stream.on('error', () => {});
    await new Promise<void>((res) => {
      const t = setTimeout(res, 5000);
      stream.on('data', (d: Buffer) => {
        reply += d.toString('latin1');
        if (until.test(reply)) {
          clearTimeout(t);
          res();
        }
      });
      stream.on('end', () => {
        clearTimeout(t);
        res();
      });
      stream.write(request);
    });
    stream.end();
    stream.destroy();
  }
  return { ...result, reply };
}
