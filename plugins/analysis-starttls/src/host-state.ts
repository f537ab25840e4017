import type { ProbeRecord } from '@wildtls/core';

/**
 * How far a host got, from its record alone (the shared definitions of the
 * paper view): port open, noise (the port is open but the server sent no
 * byte), answered (it sent something), TLS reached (a ServerHello arrived).
 */

/** The TCP connection succeeded. */
export function portOpen(r: ProbeRecord): boolean {
  return r.status !== 'connect-failed' && r.status !== 'internal-error';
}

/** Record-level reasons that say the server closed, reset or stayed silent. */
const SILENT = new Set(['connection-closed', 'connection-reset', 'read-timeout', 'probe-timeout', 'tls-timeout']);

/**
 * Port open, no byte from the server: `bytesReceived === 0`. Records written
 * before that field existed fall back to what they show: nothing the server
 * sent (no banner, STARTTLS reply, capabilities, SASL list or TLS data) and a
 * probe that ended on silence, a close or a reset (status timeout, or
 * protocol-error / tls-failed with one of the reasons above: implicit TLS
 * ends in tls-failed when the server never answers the ClientHello).
 */
export function isNoise(r: ProbeRecord): boolean {
  if (!portOpen(r)) return false;
  const bytes = (r as { bytesReceived?: unknown }).bytesReceived;
  if (typeof bytes === 'number') return bytes === 0;
  if (r.banner !== undefined || r.starttls !== undefined || r.capabilities !== undefined || r.sasl !== undefined) return false;
  if (serverTlsData(r.tls)) return false;
  if (r.status === 'timeout') return true;
  if (r.status !== 'protocol-error' && r.status !== 'tls-failed') return false;
  const reason: unknown = r.error?.reason;
  return typeof reason === 'string' && SILENT.has(reason);
}

/** Port open and not noise: the server sent at least one byte. */
export function answered(r: ProbeRecord): boolean {
  return portOpen(r) && !isNoise(r);
}

/** A ServerHello arrived: the version and suite the server chose, or a completed handshake ("TLS reached"). */
export function tlsReached(tls: ProbeRecord['tls']): boolean {
  if (typeof tls !== 'object' || tls === null) return false;
  return tls.completed === true || (tls.version !== undefined && tls.cipherSuite !== undefined);
}

/** Anything in the TLS part that only the server's bytes can have put there. */
function serverTlsData(tls: unknown): boolean {
  if (typeof tls !== 'object' || tls === null) return false;
  const t = tls as NonNullable<ProbeRecord['tls']>;
  if (t.completed === true || t.version !== undefined || t.cipherSuite !== undefined || t.alert !== undefined || t.sslv2Reply === true) return true;
  if (Array.isArray(t.chain) && t.chain.length > 0) return true;
  const kind: unknown = t.error?.kind;
  return kind === 'alert' || kind === 'protocol' || kind === 'unsupported';
}
