import type { Logger } from 'pino';
import type { ServiceSpec } from '../plugin/api.js';
import { closeNow, type ByteStream } from '../net/byte-stream.js';
import { ByteBudget } from '../net/byte-budget.js';
import { Connection, type ConnectionLimits } from '../net/connection.js';
import { dialTcp, type SocketKind } from '../net/dial.js';
import type { ProbeRecord } from '../record/record-schema.js';
import type { TlsInfo } from '../record/tls-schema.js';
import { ProbeError, errorToStatus, tlsErrorStatus, type ProbeStatus } from '../record/status.js';
import type { HandshakeDeadline, HandshakeExpiry, TlsEngine, TlsHandshakeOptions, TlsProfileRef } from '../tls/engine.js';
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

/**
 * One step of the ladder: connect, handshake and dialog under the probe deadline, then one record.
 * A class, not one function with closures: each probe then allocates one object of one shape, and
 * V8 compiles small methods with stable feedback instead of one large function (the hot path of a
 * scan, compiled while the scan warms up). Rare paths (errors, a deadline) sit in their own methods.
 */
class ProbeAttempt implements HandshakeDeadline {
  // Fields declared and set in the constructor in this order: a class body with field initializers
  // (or parameter properties) gets its own <instance_members_initializer>, compiled as a job of its own.
  declare readonly job: ProbeJob;
  declare readonly engine: TlsEngine;
  declare readonly settings: ProbeSettings;
  declare readonly step: number;
  declare readonly logger: Logger;
  declare readonly record: DialogRecord;
  /**
   * Made when first asked for (a dialog's ctx.signal, or an engine that does not watch `deadline`):
   * the engines in core watch the attempt itself as their deadline, so most probes make no
   * AbortSignal (an EventTarget: a few hundred bytes, and a listener added and removed per handshake).
   */
  declare abortController: AbortController | undefined;
  /** The probe deadline has passed (HandshakeDeadline). */
  declare expired: boolean;
  /** The running handshake's end at the deadline, set by an engine that watches it (HandshakeDeadline). */
  declare onExpire: (() => void) | undefined;
  /** The same as an object's method (HandshakeDeadline.expiring: the raw engine's handshake, no function per probe). */
  declare expiring: HandshakeExpiry | undefined;
  declare socket: ByteStream | undefined;
  declare conn: Connection | undefined;
  /** The implicit handshake's TLS stream, until the dialog first asks for ctx.conn (made on it then). */
  declare tlsStream: ByteStream | undefined;
  /** The probe has ended and closed its connection (a dialog past the deadline may still run). */
  declare closed: boolean;
  declare budget: ByteBudget | undefined;
  declare status: ProbeStatus;
  declare error: ProbeRecord['error'];
  /** True from the dialog's start (the implicit handshake included) until it settles. */
  declare dialogRunning: boolean;
  /** Rejects the probe's wait for its dialog: set while it waits. */
  declare rejectWait: ((err: unknown) => void) | undefined;
  declare readonly profile: TlsProfileRef;

  constructor(job: ProbeJob, engine: TlsEngine, settings: ProbeSettings, step: number, logger: Logger) {
    this.job = job;
    this.engine = engine;
    this.settings = settings;
    this.step = step;
    this.logger = logger;
    this.record = {};
    this.abortController = undefined;
    this.expired = false;
    this.onExpire = undefined;
    this.expiring = undefined;
    this.socket = undefined;
    this.conn = undefined;
    this.tlsStream = undefined;
    this.closed = false;
    this.budget = undefined;
    this.status = 'success';
    this.error = undefined;
    this.dialogRunning = false;
    this.rejectWait = undefined;
    this.profile = settings.ladder[step] ?? { name: 'default' };
  }

  async run(): Promise<ProbeRecord> {
    const probeMs = this.settings.timeouts.probeMs;
    const deadline = performance.now() + probeMs;
    // The probe deadline: one timer, which aborts the signal (if one was made) and ends the engine's
    // handshake (if one runs), then rejects the probe's wait directly (no abort listener of its own).
    const probeTimer = setTimeout(onProbeDeadline, probeMs, this);
    try {
      // Connect, retrying connect failures (not the probe deadline's): the loop here, not an async function of its own.
      let socket: ByteStream;
      for (let attempt = 0; ; attempt++) {
        try {
          socket = await dialWithin(this.job.target, this.settings, deadline);
          break;
        } catch (err) {
          if (attempt >= this.settings.connectRetries || (err instanceof ProbeError && err.reason === 'probe-timeout')) throw err;
        }
      }
      this.socket = socket;
      // A late error on a closed socket must never crash the scanner.
      socket.on('error', ignoreError);
      // One byte cap for the whole probe: each reader of the socket (dialog, handshake, TLS stream) charges it.
      this.budget = new ByteBudget(this.settings.maxTotalBytes);
      this.dialogRunning = true;
      // The dialog's outcome, or the probe deadline's, whichever comes first.
      this.status = await new Promise<ProbeStatus>((resolve, reject) => {
        this.rejectWait = reject;
        this.dialog().then(resolve, reject);
        if (this.expired) reject(probeTimeout(probeMs));
      });
    } catch (err) {
      this.failed(err);
    } finally {
      clearTimeout(probeTimer);
      this.closed = true;
      // Close at once (TLS: close_notify first), never waiting for the server's end: see Connection.close().
      if (this.conn) this.conn.close();
      else if (this.tlsStream) closeNow(this.tlsStream);
      else if (this.socket) closeNow(this.socket);
    }
    return this.toRecord();
  }

  /**
   * The dialog, after the implicit handshake for implicit-TLS services. Implicit TLS runs the
   * handshake on the socket itself: the dialog's connection is made on the TLS stream when the
   * dialog first asks for ctx.conn (no plaintext connection to make and take apart first, and none
   * at all for a dialog that only wanted the handshake, as the tls plugin's).
   */
  private async dialog(): Promise<ProbeStatus> {
    try {
      if (this.job.spec.mode === 'implicit') {
        const tls = await this.handshake(this.socket!, undefined);
        if (!tls) return 'success';
        // A late error on the closed stream must never crash the scanner (a Connection would listen).
        tls.on('error', ignoreError);
        this.tlsStream = tls;
      } else {
        this.conn = new Connection(this.socket!, this.connectionLimits());
      }
      return (await this.job.spec.dialog(this.context())) ?? 'success';
    } finally {
      this.dialogRunning = false;
    }
  }

  private connectionLimits(): ConnectionLimits {
    return new ProbeConnectionLimits(this.settings, this.budget);
  }

  private context(): DialogContext {
    return new AttemptContext(this, () => this.startTls());
  }

  /** The dialog's connection: on the implicit handshake's TLS stream, made when first asked for. */
  connection(): Connection {
    if (this.conn) return this.conn;
    // Bytes of a TLS stream are charged to the budget by the stream, from the socket.
    const conn = new Connection(this.tlsStream!, this.connectionLimits(), false);
    this.conn = conn;
    // Asked for after the probe ended (a dialog past the deadline): closed, as it would have been, so its reads fail at once.
    if (this.closed) conn.close();
    return conn;
  }

  /** The probe's abort signal (aborted at the probe deadline), made on first use. */
  get signal(): AbortSignal {
    const c = (this.abortController ??= new AbortController());
    if (this.expired && !c.signal.aborted) c.abort();
    return c.signal;
  }

  /** The dialog's startTls(): the handshake on the connection's stream, which then carries the TLS stream. */
  private async startTls(): Promise<StartTlsOutcome> {
    const c = this.conn!;
    const { stream, leftover } = c.detach();
    const tls = await this.handshake(stream, leftover);
    const info = this.record.tls!;
    if (!tls) return { completed: false, info };
    c.attach(tls);
    return { completed: true, info };
  }

  /** Run the engine on `stream`; records `tls`, throws on a failed handshake, returns the TLS stream (none in observe-only mode). */
  private async handshake(stream: ByteStream, initialData: Buffer | undefined): Promise<ByteStream | undefined> {
    const { profile } = this;
    const { info, stream: tlsStream, internalError } = await this.engine.handshake(stream, new ProbeHandshakeOptions(this, initialData));
    info.profile ??= profile.name;
    info.fallbackStep = this.step;
    this.record.tls = info;
    if (info.error) throw handshakeError(info.error.kind, info.error.message, internalError);
    return tlsStream;
  }

  /** The probe failed: its status from the error. Our own bug: the record says internal-error; the stack goes to the debug log. */
  private failed(err: unknown): void {
    const mapped = errorToStatus(err);
    this.status = mapped.status;
    this.error = { reason: mapped.reason, message: mapped.message };
    if (mapped.status === 'internal-error') {
      const { target } = this.job;
      this.logger.debug({ err, ip: target.ip, port: target.port, service: target.service }, 'internal error during a probe');
    }
  }

  /** Built field by field in the record's key order (as the spread it replaces: JSON keeps insertion order). */
  private toRecord(): ProbeRecord {
    const r = recordIdentity(this.job) as ProbeRecord;
    r.status = this.status;
    if (this.error) r.error = this.error;
    // Raw bytes read from the socket (absent when the connection never opened): 0 marks a host that never spoke.
    if (this.budget) r.bytesReceived = this.budget.used;
    r.startedAt = '';
    r.durationMs = 0;
    // A dialog still running (the probe deadline passed) must not change an emitted record: then a
    // copy. A settled one changes nothing any more, and nothing is decrypted after close() (no
    // post-handshake message reaches `tls`): no copy.
    return Object.assign(r, this.dialogRunning ? structuredClone(this.record) : this.record);
  }
}

/**
 * A probe connection's limits. A class, not an object literal: the object lives as long as its probe,
 * so a literal's allocation site turns to "tenure" mid-scan and V8 throws away the optimized code that
 * inlined it (`--trace-deopt`: "marking dependent code ... dialog", a second compile of
 * ProbeAttempt.dialog in every SMTP scan); `new` of a class has no allocation site. Same fields, same order.
 */
class ProbeConnectionLimits implements ConnectionLimits {
  declare readonly readTimeoutMs: number;
  declare readonly maxLineBytes: number;
  declare readonly maxTotalBytes: number;
  declare readonly budget: ByteBudget | undefined;

  constructor(settings: ProbeSettings, budget: ByteBudget | undefined) {
    this.readTimeoutMs = settings.timeouts.readMs;
    this.maxLineBytes = settings.maxLineBytes;
    this.maxTotalBytes = settings.maxTotalBytes;
    this.budget = budget;
  }
}

/**
 * The engine's options for one handshake: a class for the reason ProbeConnectionLimits is one (the
 * object lives as long as the handshake, and a literal's site turned to tenure mid-scan, throwing away
 * the optimized `handshake`). Every key as the literal had them, in its order.
 */
class ProbeHandshakeOptions implements TlsHandshakeOptions {
  declare readonly serverName: string | undefined;
  declare readonly profile: TlsProfileRef;
  declare readonly observeOnly: boolean;
  declare readonly readTimeoutMs: number;
  declare readonly maxBytes: number;
  declare readonly budget: ByteBudget | undefined;
  declare readonly signal: AbortSignal | undefined;
  declare readonly deadline: HandshakeDeadline;
  declare readonly initialData: Buffer | undefined;
  declare readonly keyShareReuse: ProbeSettings['keyShareReuse'];

  constructor(a: ProbeAttempt, initialData: Buffer | undefined) {
    const settings = a.settings;
    this.serverName = settings.sni ? a.job.target.domain : undefined;
    this.profile = a.profile;
    this.observeOnly = settings.observeOnly;
    this.readTimeoutMs = settings.timeouts.readMs;
    this.maxBytes = settings.maxTotalBytes;
    this.budget = a.budget;
    // Engines in core watch the attempt as their deadline; another gets the signal.
    this.signal = a.engine.watchesDeadline ? undefined : a.signal;
    this.deadline = a;
    this.initialData = initialData;
    this.keyShareReuse = settings.keyShareReuse;
  }
}

function probeOnce(job: ProbeJob, engine: TlsEngine, settings: ProbeSettings, step: number, logger: Logger): Promise<ProbeRecord> {
  return new ProbeAttempt(job, engine, settings, step, logger).run();
}

/**
 * The dialog's context. A class, not an object literal: its `conn` and `signal` are getters (the
 * attempt makes each when a dialog first asks), and a getter in a literal makes a new map per object
 * (every dialog's reads of ctx.* would turn megamorphic); on the prototype it is one map for all.
 */
class AttemptContext implements DialogContext {
  // Fields declared and set in the constructor in this order (no <instance_members_initializer> of their own).
  private declare readonly attempt: ProbeAttempt;
  /** An own function (a dialog may call it unbound). */
  declare readonly startTls: () => Promise<StartTlsOutcome>;
  declare readonly target: ProbeTarget;
  declare readonly options: unknown;
  declare readonly record: DialogRecord;
  declare readonly implicitTls: boolean;
  declare readonly logger: Logger;

  constructor(attempt: ProbeAttempt, startTls: () => Promise<StartTlsOutcome>) {
    this.attempt = attempt;
    this.startTls = startTls;
    this.target = attempt.job.target;
    this.options = attempt.job.options;
    this.record = attempt.record;
    this.implicitTls = attempt.job.spec.mode === 'implicit';
    this.logger = attempt.logger;
  }

  get conn(): Connection {
    return this.attempt.connection();
  }

  get signal(): AbortSignal {
    return this.attempt.signal;
  }
}

function onProbeDeadline(p: ProbeAttempt): void {
  p.expired = true;
  // A dialog's abort listeners first, then the engine's handshake: the order of the signal's listeners before.
  p.abortController?.abort();
  p.onExpire?.();
  p.expiring?.onDeadline();
  p.rejectWait?.(probeTimeout(p.settings.timeouts.probeMs));
}

function ignoreError(): void {}

function handshakeError(kind: NonNullable<TlsInfo['error']>['kind'], message: string, internalError: unknown): ProbeError {
  const { status, reason } = tlsErrorStatus(kind);
  return new ProbeError(status, reason, message, internalError === undefined ? undefined : { cause: internalError });
}

function probeTimeout(ms: number): ProbeError {
  return new ProbeError('timeout', 'probe-timeout', `probe exceeded ${ms} ms`);
}

/**
 * One connect attempt. Its deadline is the connect timeout, cut to what is left of the probe
 * deadline (then its expiry is the probe's timeout, never retried): one timer and no abort listener.
 */
function dialWithin(target: ProbeTarget, settings: ProbeSettings, deadline: number): Promise<ByteStream> {
  const { connectMs } = settings.timeouts;
  const left = Math.ceil(deadline - performance.now());
  if (left <= 0) return Promise.reject(probeConnectTimeout());
  const probeBound = left < connectMs;
  return dialTcp(target.ip, target.port, { timeoutMs: probeBound ? left : connectMs, kind: settings.sockets, timeoutError: probeBound ? probeConnectTimeout : undefined });
}

function probeConnectTimeout(): ProbeError {
  return new ProbeError('timeout', 'probe-timeout', 'probe deadline passed while connecting');
}

/** What a record says of the probe itself (target, service, plugin, mode), in the record's key order: shared by every place that makes a record of a job. */
export function recordIdentity(job: ProbeJob): Pick<ProbeRecord, 'ip' | 'port' | 'domain' | 'mailDomain' | 'service' | 'protocol' | 'mode'> {
  const { target } = job;
  // Filled in key order, without spreads (one object per record).
  const r = { ip: target.ip, port: target.port } as Pick<ProbeRecord, 'ip' | 'port' | 'domain' | 'mailDomain' | 'service' | 'protocol' | 'mode'>;
  if (target.domain) r.domain = target.domain;
  if (target.mailDomain) r.mailDomain = target.mailDomain;
  r.service = target.service;
  r.protocol = job.protocolId;
  r.mode = job.spec.mode;
  return r;
}
