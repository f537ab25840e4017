import type { ByteStream } from '../net/byte-stream.js';
import type { ByteBudget } from '../net/byte-budget.js';
import type { TlsInfo } from '../record/tls-schema.js';

/**
 * A ClientHello profile. Profiles are data (a user may define one in YAML);
 * the raw engine documents the full shape in docs/tls-engine.md.
 */
export interface TlsProfileRef {
  name: string;
  [key: string]: unknown;
}

export interface TlsHandshakeOptions {
  /** SNI; omitted when undefined (bare-IP scans). */
  serverName?: string;
  profile: TlsProfileRef;
  /** ALPN protocols to offer, overriding the profile's. */
  alpn?: string[];
  /** Stop after the server's first flight (no key-exchange cost). */
  observeOnly: boolean;
  /** Deadline for each read from the server. */
  readTimeoutMs: number;
  /** Cap on bytes accepted from the server during the handshake (used when no `budget` is given). */
  maxBytes: number;
  /** The probe's one byte budget: the engine charges every byte it reads from the socket to it. */
  budget?: ByteBudget;
  /** Aborts the handshake (a `timeout` error). Engines that watch `deadline` need none from a caller that passes one. */
  signal?: AbortSignal;
  /** The caller's deadline, watched without an AbortSignal by engines whose `watchesDeadline` is true. */
  deadline?: HandshakeDeadline;
  /** Bytes already read from the socket before the handshake began. */
  initialData?: Buffer;
  /** Reuse our ephemeral key shares within these bounds (engines that make their own may ignore it). */
  keyShareReuse?: { handshakes: number; ms: number };
}

/**
 * A deadline an engine can watch without an AbortSignal (an EventTarget, with its listener added and
 * removed per handshake): while its handshake runs the engine sets `onExpire` to what ends it (a
 * `timeout` error) and clears it when done; the caller sets `expired` and calls `onExpire` when the
 * deadline passes. A handshake started after the deadline fails at once.
 */
export interface HandshakeDeadline {
  expired: boolean;
  onExpire: (() => void) | undefined;
  /**
   * Optional: `onExpire` as a method call on an object the engine already has (no function made per
   * handshake). A deadline that has this property (`'expiring' in deadline`, its value undefined
   * while no handshake runs) calls `expiring.onDeadline()` as well as `onExpire` when it passes; an
   * engine may then set this instead of `onExpire`, and clears it when done. A deadline without the
   * property is given `onExpire` only.
   */
  expiring?: HandshakeExpiry | undefined;
}

/** What ends a running handshake at the deadline (HandshakeDeadline.expiring). */
export interface HandshakeExpiry {
  onDeadline(): void;
}

export interface TlsHandshakeResult {
  /** Everything observed; `info.error` classifies a failure. */
  info: TlsInfo;
  /** The decrypted application-data stream, present iff `info.completed` (asDuplex() makes a node stream of it). */
  stream?: ByteStream;
  /** With `info.error.kind` `internal` (our bug, not the server's doing): the exception, for the debug log. */
  internalError?: unknown;
}

/**
 * A TLS client engine. `handshake` never rejects for anything the server does:
 * server misbehaviour ends in `info.error`; our own bugs end in `info.error`
 * with kind `internal` (and `internalError`), or reject.
 */
export interface TlsEngine {
  readonly name: string;
  /** True when the engine honours `options.deadline` (then a caller may pass no `signal`). */
  readonly watchesDeadline?: boolean;
  handshake(socket: ByteStream, options: TlsHandshakeOptions): Promise<TlsHandshakeResult>;
}
