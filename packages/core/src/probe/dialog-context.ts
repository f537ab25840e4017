import type { Logger } from 'pino';
import type { Connection } from '../net/connection.js';
import type { ProbeRecord } from '../record/record-schema.js';
import type { ProbeStatus } from '../record/status.js';
import type { TlsInfo } from '../record/tls-schema.js';

/** Where a probe goes. */
export interface ProbeTarget {
  ip: string;
  port: number;
  domain?: string;
  mailDomain?: string;
  service: string;
}

/** The record fields a dialog fills in as it goes (kept even if it throws). */
export type DialogRecord = Partial<Omit<ProbeRecord, 'ip' | 'port' | 'service' | 'protocol' | 'mode' | 'status' | 'startedAt' | 'durationMs'>>;

export interface StartTlsOutcome {
  /** True when the handshake completed and `ctx.conn` now carries decrypted data. */
  completed: boolean;
  info: TlsInfo;
}

/**
 * What the kernel hands a protocol dialog. Plugins never open sockets: the
 * kernel connects, enforces deadlines and byte caps, and runs the TLS engine.
 */
export interface DialogContext<Options = unknown> {
  target: ProbeTarget;
  /** The plugin's own config section, validated and defaulted. */
  options: Options;
  /** The connection: plaintext until `startTls()` completes (or TLS already, for implicit services). */
  conn: Connection;
  /**
   * Fill this in as the dialog learns things; it is kept if the dialog throws. The record is made
   * from it, uncopied, when the dialog settles: never change it afterwards (past the probe
   * deadline the kernel takes a copy instead, as the dialog may still be running).
   */
  record: DialogRecord;
  /**
   * Run the TLS engine on this connection now (after the server agreed to
   * STARTTLS). Records `tls`. Throws a ProbeError when the handshake does not
   * complete: `tls-failed` with the reason (`tls-unsupported` when the server
   * chose something the engine does not complete), `internal-error` for a
   * wildtls bug. Returns completed=false in observe-only mode.
   */
  startTls(): Promise<StartTlsOutcome>;
  /** True for implicit-TLS services, where the kernel already did the handshake. */
  readonly implicitTls: boolean;
  logger: Logger;
  signal: AbortSignal;
}

/**
 * A protocol dialog. It returns the probe's status (default 'success') or
 * throws a ProbeError; anything else thrown is mapped by errorToStatus.
 */
export type ProbeDialog<Options = unknown> = (ctx: DialogContext<Options>) => Promise<ProbeStatus | void>;
