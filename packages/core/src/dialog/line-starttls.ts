import type { Connection } from '../net/connection.js';
import type { DialogContext } from '../probe/dialog-context.js';
import { ProbeError, type ProbeStatus } from '../record/status.js';
import { sanitize } from './read-reply.js';
import { recordCapabilities, type CapabilityView } from './capability-lists.js';

/**
 * The data-driven STARTTLS line dialog shared by the line protocols (in the
 * manner of sslyze's generic helper): a protocol supplies how to read the
 * greeting, ask for capabilities, parse them, ask for STARTTLS and say goodbye.
 */
export interface LineStartTlsSpec {
  /** Read the greeting; return its lines. Throw ProbeError for a refusal. */
  readGreeting(conn: Connection): Promise<string[]>;
  /** Send the capability command and read its reply. */
  requestCapabilities(conn: Connection, phase: 'beforeTls' | 'afterTls'): Promise<string[]>;
  /** Parse the reply; its lists are capped when the record is written (recordCapabilities), so a parser may cap them first. */
  parseCapabilities(lines: string[]): CapabilityView;
  /** Send the STARTTLS command and read the reply. */
  requestStartTls(conn: Connection): Promise<string[]>;
  startTlsAccepted(lines: string[]): boolean;
  /** Say goodbye (QUIT, LOGOUT...). Errors are ignored. */
  quit(conn: Connection): Promise<void>;
}

/**
 * Run greeting, capabilities, STARTTLS (only when offered), handshake and
 * capabilities again on the same connection, filling ctx.record as it goes.
 * On implicit-TLS services the capabilities are the after-TLS ones.
 */
export async function runLineStartTls(ctx: DialogContext, spec: LineStartTlsSpec): Promise<ProbeStatus> {
  const { conn, record } = ctx;
  const greeting = await spec.readGreeting(conn);
  record.banner = sanitize(greeting.join('\n'));
  const phase = ctx.implicitTls ? 'afterTls' : 'beforeTls';
  const first = spec.parseCapabilities(await spec.requestCapabilities(conn, phase));
  recordCapabilities(record, phase, first);
  let status: ProbeStatus = 'success';
  if (ctx.implicitTls) {
    // The capabilities are the after-TLS ones: nothing left but the goodbye.
  } else if (!first.startTls) {
    record.starttls = { offered: false, upgraded: false };
    status = 'no-starttls';
  } else {
    const reply = await spec.requestStartTls(conn);
    const replyText = sanitize(reply.join('\n'));
    if (!spec.startTlsAccepted(reply)) {
      record.starttls = { offered: true, upgraded: false, reply: replyText };
      status = 'starttls-refused';
    } else {
      // `upgraded` says the server accepted STARTTLS, whatever the handshake then does (that is tls.completed).
      record.starttls = { offered: true, upgraded: true, reply: replyText };
      if (conn.hasBuffered()) {
        // Bytes after the go-ahead and before our ClientHello: a STARTTLS injection hazard.
        throw new ProbeError('protocol-error', 'unexpected-reply', 'server sent data after accepting STARTTLS, before the TLS handshake');
      }
      const outcome = await ctx.startTls();
      if (!outcome.completed) return 'success';
      const after = spec.parseCapabilities(await spec.requestCapabilities(conn, 'afterTls'));
      recordCapabilities(record, 'afterTls', after);
    }
  }
  // The goodbye, its failure ignored (a server that hangs up on QUIT is fine): one place for every
  // outcome, awaited in place (no promise chained per probe to swallow its error).
  try {
    await spec.quit(conn);
  } catch {
    /* ignored */
  }
  return status;
}
