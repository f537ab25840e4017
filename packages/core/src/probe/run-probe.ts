import type { Logger } from 'pino';
import type { ServiceSpec } from '../plugin/api.js';
import { closeNow, type ByteStream } from '../net/byte-stream.js';
import { ByteBudget } from '../net/byte-budget.js';
import { Connection } from '../net/connection.js';
import { dialTcp, type SocketKind } from '../net/dial.js';
import type { ProbeRecord } from '../record/record-schema.js';
import type { TlsInfo } from '../record/tls-schema.js';
import { ProbeError, errorToStatus, tlsErrorStatus, type ProbeStatus } from '../record/status.js';
import type { TlsEngine, TlsProfileRef } from '../tls/engine.js';
import type { DialogContext, DialogRecord, ProbeTarget, StartTlsOutcome } from './dialog-context.js';

export interface ProbeTimeouts {
  connectMs: number;
  readMs: number;
  /** Deadline for the whole probe, dialog and handshake included. */
  probeMs: number;
}

export interface ProbeSettings {
  timeouts: ProbeTimeouts;
  maxLineBytes: number;
  maxTotalBytes: number;
  /** The fallback ladder: profiles tried in order until one handshakes. */
  ladder: TlsProfileRef[];
  observeOnly: boolean;
  sni: boolean;
  /** Retries for connect failures only. */
  connectRetries: number;
  /** Socket path; default: the lean one where available (net/dial.ts). */
  sockets?: SocketKind;
  /** Reuse the engine's key shares within these bounds (config tls.keyShareReuse). */
  keyShareReuse?: { handshakes: number; ms: number };
}

export interface ProbeJob {
  target: ProbeTarget;
  protocolId: string;
  spec: ServiceSpec;
  options: unknown;
}

/** Run one probe, falling back along the ladder; always resolves to exactly one record. */
export async function runProbe(job: ProbeJob, engine: TlsEngine, settings: ProbeSettings, logger: Logger): Promise<ProbeRecord> {
  const startedAt = new Date();
  const t0 = performance.now();
  let record: ProbeRecord | undefined;
  let first: ProbeRecord | undefined;
  const refused: NonNullable<TlsInfo['refusedSteps']> = [];
  for (let step = 0; step < Math.max(1, settings.ladder.length); step++) {
    record = await probeOnce(job, engine, settings, step, logger);
    if (!refusedOffer(record)) break;
    first ??= record;
    refused.push(refusalOf(record, step));
    record = undefined;
  }
  // Every step refused: the first step's record says how the server answered the main offer.
  const r = record ?? first!;
  if (refused.length && r.tls) r.tls.refusedSteps = refused;
  r.startedAt = startedAt.toISOString();
  r.durationMs = Math.round((performance.now() - t0) * 100) / 100;
  return r;
}

/**
 * Only an offer the server refused warrants another step down the ladder: an
 * alert, a close or a reset before any ServerHello. Once the server has chosen
 * (a version or suite is recorded) the record says what it chose, and a later
 * step must not overwrite it; a timeout, a protocol error, an unsupported
 * choice or our own bug is no refusal either.
 */
function refusedOffer(record: ProbeRecord): boolean {
  const tls = record.tls;
  if (record.status !== 'tls-failed' || !tls?.error) return false;
  if (tls.version !== undefined || tls.cipherSuite !== undefined) return false;
  return tls.error.kind === 'alert' || tls.error.kind === 'closed' || tls.error.kind === 'reset';
}

function refusalOf(record: ProbeRecord, step: number): NonNullable<TlsInfo['refusedSteps']>[number] {
  const tls = record.tls!;
  return {
    step,
    profile: tls.profile ?? 'default',
    kind: tls.error!.kind as 'alert' | 'closed' | 'reset',
    ...(tls.alert ? { alert: tls.alert.description } : {}),
  };
}

async function probeOnce(job: ProbeJob, engine: TlsEngine, settings: ProbeSettings, step: number, logger: Logger): Promise<ProbeRecord> {
  const { target, spec } = job;
  const dialogRecord: DialogRecord = {};
  const abort = new AbortController();
  let socket: ByteStream | undefined;
  let conn: Connection | undefined;
  let status: ProbeStatus = 'success';
  let error: ProbeRecord['error'];
  let budget: ByteBudget | undefined;
  /** True from the dialog's start (the implicit handshake included) until it settles. */
  let dialogRunning = false;
  const probeMs = settings.timeouts.probeMs;
  const deadline = performance.now() + probeMs;
  // The probe deadline: one timer, which aborts the signal (engine, dialog) and rejects the probe's
  // wait directly, so the wait needs no abort listener of its own.
  let onDeadline: (() => void) | undefined;
  const probeTimer = setTimeout(() => {
    abort.abort();
    onDeadline?.();
  }, probeMs);
  try {
    socket = await connectWithRetries(target, settings, deadline);
    // A late error on a closed socket must never crash the scanner.
    socket.on('error', () => {});
    // One byte cap for the whole probe: each reader of the socket (dialog, handshake, TLS stream) charges it.
    budget = new ByteBudget(settings.maxTotalBytes);
    conn = new Connection(socket, {
      readTimeoutMs: settings.timeouts.readMs,
      maxLineBytes: settings.maxLineBytes,
      maxTotalBytes: settings.maxTotalBytes,
      budget,
    });
    const c = conn;
    const probeBudget = budget;
    const profile = settings.ladder[step] ?? { name: 'default' };
    const startTls = async (): Promise<StartTlsOutcome> => {
      const { stream, leftover } = c.detach();
      const { info, stream: tlsStream, internalError } = await engine.handshake(stream, {
        serverName: settings.sni ? target.domain : undefined,
        profile,
        observeOnly: settings.observeOnly,
        readTimeoutMs: settings.timeouts.readMs,
        maxBytes: settings.maxTotalBytes,
        budget: probeBudget,
        signal: abort.signal,
        initialData: leftover.length ? leftover : undefined,
        ...(settings.keyShareReuse ? { keyShareReuse: settings.keyShareReuse } : {}),
      });
      info.profile ??= profile.name;
      info.fallbackStep = step;
      dialogRecord.tls = info;
      if (info.error) {
        const { status: s, reason } = tlsErrorStatus(info.error.kind);
        throw new ProbeError(s, reason, info.error.message, internalError === undefined ? undefined : { cause: internalError });
      }
      if (!tlsStream) return { completed: false, info };
      c.attach(tlsStream);
      return { completed: true, info };
    };
    const ctx: DialogContext = {
      target,
      options: job.options,
      conn: c,
      record: dialogRecord,
      startTls,
      implicitTls: spec.mode === 'implicit',
      logger,
      signal: abort.signal,
    };
    const run = async (): Promise<ProbeStatus> => {
      if (spec.mode === 'implicit') {
        const outcome = await startTls();
        if (!outcome.completed) return 'success';
      }
      return (await spec.dialog(ctx)) ?? 'success';
    };
    dialogRunning = true;
    // The dialog's outcome, or the probe deadline's, whichever comes first.
    status = await new Promise<ProbeStatus>((resolve, reject) => {
      onDeadline = () => reject(probeTimeout(probeMs));
      run().then(
        (s) => {
          dialogRunning = false;
          resolve(s);
        },
        (e: unknown) => {
          dialogRunning = false;
          reject(e);
        },
      );
      if (abort.signal.aborted) onDeadline();
    });
  } catch (err) {
    const mapped = errorToStatus(err);
    status = mapped.status;
    error = { reason: mapped.reason, message: mapped.message };
    // Our own bug: the record says internal-error; the stack goes to the debug log.
    if (status === 'internal-error') logger.debug({ err, ip: target.ip, port: target.port, service: target.service }, 'internal error during a probe');
  } finally {
    clearTimeout(probeTimer);
    // Close at once (TLS: close_notify first), never waiting for the server's end: see Connection.close().
    if (conn) conn.close();
    else if (socket) closeNow(socket);
  }
  return {
    ...recordIdentity(job),
    status,
    ...(error ? { error } : {}),
    // Raw bytes read from the socket (absent when the connection never opened): 0 marks a host that never spoke.
    ...(budget ? { bytesReceived: budget.used } : {}),
    startedAt: '',
    durationMs: 0,
    // A dialog still running (the probe deadline passed) must not change an emitted record: then a
    // copy. A settled one changes nothing any more, and nothing is decrypted after close() (no
    // post-handshake message reaches `tls`): no copy.
    ...(dialogRunning ? structuredClone(dialogRecord) : dialogRecord),
  } as ProbeRecord;
}

function probeTimeout(ms: number): ProbeError {
  return new ProbeError('timeout', 'probe-timeout', `probe exceeded ${ms} ms`);
}

/**
 * Connect, retrying connect failures. Each attempt's deadline is the connect timeout, cut to what
 * is left of the probe deadline (then its expiry is the probe's timeout): one timer per attempt
 * and no abort listener.
 */
async function connectWithRetries(target: ProbeTarget, settings: ProbeSettings, deadline: number): Promise<ByteStream> {
  const { connectMs } = settings.timeouts;
  let lastErr: unknown;
  for (let attempt = 0; attempt <= settings.connectRetries; attempt++) {
    const left = Math.ceil(deadline - performance.now());
    if (left <= 0) throw new ProbeError('timeout', 'probe-timeout', 'probe deadline passed while connecting');
    const probeBound = left < connectMs;
    try {
      return await dialTcp(target.ip, target.port, { timeoutMs: probeBound ? left : connectMs, kind: settings.sockets });
    } catch (err) {
      if (probeBound && err instanceof ProbeError && err.reason === 'connect-timeout') {
        throw new ProbeError('timeout', 'probe-timeout', 'probe deadline passed while connecting');
      }
      lastErr = err;
    }
  }
  throw lastErr;
}

/** What a record says of the probe itself (target, service, plugin, mode), in the record's key order: shared by every place that makes a record of a job. */
export function recordIdentity(job: ProbeJob): Pick<ProbeRecord, 'ip' | 'port' | 'domain' | 'mailDomain' | 'service' | 'protocol' | 'mode'> {
  const { target } = job;
  return {
    ip: target.ip,
    port: target.port,
    ...(target.domain ? { domain: target.domain } : {}),
    ...(target.mailDomain ? { mailDomain: target.mailDomain } : {}),
    service: target.service,
    protocol: job.protocolId,
    mode: job.spec.mode,
  };
}
