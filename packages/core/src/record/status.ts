import type { TlsInfo } from './tls-schema.js';

/**
 * The one closed status union for every probe. No plugin invents its own
 * status words; errors are mapped onto these by {@link errorToStatus}.
 * `internal-error` is wildtls's own bug (never the server's doing): such a
 * record is not a measurement, and analyses leave it out of their counts.
 */
export const PROBE_STATUSES = [
  'success',
  'no-starttls',
  'starttls-refused',
  'connect-failed',
  'timeout',
  'tls-failed',
  'protocol-error',
  'internal-error',
] as const;

export type ProbeStatus = (typeof PROBE_STATUSES)[number];

/** Why a probe did not succeed, finer than the status. */
export type ProbeErrorReason =
  | 'connect-refused'
  | 'connect-unreachable'
  | 'connect-timeout'
  | 'read-timeout'
  | 'probe-timeout'
  | 'connection-reset'
  | 'connection-closed'
  | 'line-too-long'
  | 'reply-too-large'
  | 'unexpected-reply'
  | 'malformed-reply'
  | 'tls-alert'
  | 'tls-protocol'
  | 'tls-timeout'
  | 'tls-unsupported'
  | 'internal';

/** An error a dialog or the kernel throws to end a probe with a given status. */
export class ProbeError extends Error {
  readonly status: ProbeStatus;
  readonly reason: ProbeErrorReason;
  constructor(status: ProbeStatus, reason: ProbeErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProbeError';
    this.status = status;
    this.reason = reason;
  }
}

export function isProbeError(err: unknown): err is ProbeError {
  return err instanceof Error && (err as ProbeError).name === 'ProbeError' &&
    typeof (err as ProbeError).status === 'string';
}

export interface MappedStatus {
  status: ProbeStatus;
  reason: ProbeErrorReason;
  message: string;
}

/**
 * Map anything thrown during a probe onto the closed status union. A
 * ProbeError says what it is; a system error with a code we know is the
 * network's or the server's doing; anything else (a TypeError, an unexpected
 * library error) is our own bug: `internal-error`, never the server's fault.
 */
export function errorToStatus(err: unknown): MappedStatus {
  if (isProbeError(err)) return { status: err.status, reason: err.reason, message: err.message };
  const e = err as NodeJS.ErrnoException | undefined;
  const message = e?.message ?? String(err);
  switch (e?.code) {
    case 'ECONNREFUSED':
      return { status: 'connect-failed', reason: 'connect-refused', message };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
    case 'EADDRNOTAVAIL':
      return { status: 'connect-failed', reason: 'connect-unreachable', message };
    case 'ETIMEDOUT':
      return { status: 'timeout', reason: 'read-timeout', message };
    case 'ECONNRESET':
    case 'ECONNABORTED':
    case 'EPIPE':
      return { status: 'protocol-error', reason: 'connection-reset', message };
    default:
      return { status: 'internal-error', reason: 'internal', message };
  }
}

/**
 * A failed TLS handshake (`tls.error.kind`) as a probe status, per the
 * contract: what the server refused or broke is `tls-failed` with its reason;
 * a choice the engine does not complete is `tls-failed`/`tls-unsupported`;
 * our own bug is `internal-error`.
 */
export function tlsErrorStatus(kind: TlsErrorKind): { status: ProbeStatus; reason: ProbeErrorReason } {
  return TLS_ERROR_STATUS[kind];
}

type TlsErrorKind = NonNullable<TlsInfo['error']>['kind'];

const TLS_ERROR_STATUS: Record<TlsErrorKind, { status: ProbeStatus; reason: ProbeErrorReason }> = {
  alert: { status: 'tls-failed', reason: 'tls-alert' },
  protocol: { status: 'tls-failed', reason: 'tls-protocol' },
  timeout: { status: 'tls-failed', reason: 'tls-timeout' },
  reset: { status: 'tls-failed', reason: 'connection-reset' },
  closed: { status: 'tls-failed', reason: 'connection-closed' },
  unsupported: { status: 'tls-failed', reason: 'tls-unsupported' },
  internal: { status: 'internal-error', reason: 'internal' },
};
