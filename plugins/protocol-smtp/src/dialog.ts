import {
  ProbeError,
  runLineStartTls,
  sanitize,
  type CapabilityView,
  type Connection,
  type DialogContext,
  type LineStartTlsSpec,
  type ProbeStatus,
  type ReplyLimits,
} from '@wildtls/core';
import { resolveOptions } from './options.js';
import { ehloCapabilities, isLastSmtpLine, replyCode } from './reply.js';
import type { SmtpRecord } from './smtp-record.js';

type Phase = 'beforeTls' | 'afterTls';

/** What every probe of one scan shares: its options turned into the commands' bytes and the reads' limits, once. */
interface DialogSettings {
  ehlo: Buffer;
  helo: Buffer;
  /** Cap on the lines of one reply. */
  maxLines: number;
  replyLimits: ReplyLimits;
  /** undefined: QUIT is sent and no reply awaited (quitTimeoutMs 0). */
  quitLimits: ReplyLimits | undefined;
}

// The commands' bytes, made once and shared by every probe: a stream given a string makes a Buffer of
// it per write (Buffer.from), where the plain socket and the TLS stream only read the bytes they are
// given (the socket holds them until the kernel has them; the TLS stream seals them into a record).
const STARTTLS = Buffer.from('STARTTLS\r\n', 'latin1');
const QUIT = Buffer.from('QUIT\r\n', 'latin1');

/** Settings per options object (a scan passes the same one to every probe); no options at all share one. */
const settingsFor = new WeakMap<object, DialogSettings>();
let noOptions: DialogSettings | undefined;

function settings(raw: unknown): DialogSettings {
  if (raw === undefined || raw === null) return (noOptions ??= makeSettings(raw));
  if (typeof raw !== 'object') return makeSettings(raw);
  let s = settingsFor.get(raw);
  if (!s) settingsFor.set(raw, (s = makeSettings(raw)));
  return s;
}

function makeSettings(raw: unknown): DialogSettings {
  const opts = resolveOptions(raw);
  return {
    // resolveOptions checked the name: no space or line break can reach the wire.
    ehlo: Buffer.from(`EHLO ${opts.ehloName}\r\n`, 'latin1'),
    helo: Buffer.from(`HELO ${opts.ehloName}\r\n`, 'latin1'),
    maxLines: opts.maxReplyLines,
    replyLimits: { maxLines: opts.maxReplyLines },
    quitLimits: opts.quitTimeoutMs > 0 ? { maxLines: opts.maxReplyLines, timeoutMs: opts.quitTimeoutMs } : undefined,
  };
}

/**
 * The SMTP dialog (RFC 5321, STARTTLS per RFC 3207) on core's data-driven line
 * dialog: 220 greeting, EHLO (HELO when EHLO is refused), STARTTLS only when
 * offered, handshake, EHLO again on the same connection, QUIT. No MAIL, no
 * AUTH: credentials are never sent.
 */
export function smtpDialog(ctx: DialogContext<unknown>): Promise<ProbeStatus> {
  return runLineStartTls(ctx, new SmtpDialog(ctx, settings(ctx.options)));
}

/** One probe's dialog: one object with its methods on the prototype, rather than a closure per step per probe. */
class SmtpDialog implements LineStartTlsSpec {
  // Fields declared and set in the constructor, not initialized in the class body nor made by
  // parameter properties: a class body with field initializers gets its own
  // `<instance_members_initializer>` function, which one dialog per probe makes hot and TurboFan
  // compiles on its own.
  private declare readonly ctx: DialogContext<unknown>;
  private declare readonly s: DialogSettings;
  /** parseCapabilities runs right after requestCapabilities: whether that was HELO. */
  private declare helo: boolean;

  constructor(ctx: DialogContext<unknown>, s: DialogSettings) {
    this.ctx = ctx;
    this.s = s;
    this.helo = false;
  }

  private smtp(): SmtpRecord {
    return (this.ctx.record.smtp ??= {});
  }

  // Each reply is read as core's readReply(conn, isLastSmtpLine, limits) would, without its frame nor
  // a helper of ours: the connection's one read per reply (each line checked by isLastSmtpLine:
  // well-formed, one code throughout), called where it is awaited (one hot function fewer).
  async readGreeting(conn: Connection): Promise<string[]> {
    const lines = await conn.readLines(isLastSmtpLine, this.s.maxLines, this.s.replyLimits);
    const code = replyCode(lines);
    if (code !== 220) {
      // A 554 "no service here" greeting is a refusal worth keeping verbatim.
      this.ctx.record.banner = text(lines);
      throw new ProbeError('protocol-error', 'unexpected-reply', `server greeted with ${code}, not 220`);
    }
    return lines;
  }

  async requestCapabilities(conn: Connection, phase: Phase): Promise<string[]> {
    // Each command's write and reply awaited right here (no helper's async frame per command); a
    // write the stream took at once is not awaited at all (Connection.send()).
    const sent = conn.send(this.s.ehlo);
    if (sent) await sent;
    const ehlo = await conn.readLines(isLastSmtpLine, this.s.maxLines, this.s.replyLimits);
    const ehloCode = replyCode(ehlo);
    this.helo = ehloCode !== 250;
    if (!this.helo) {
      (this.smtp().ehloGreeting ??= {})[phase] = sanitize(ehlo[0]!.slice(4), 512);
      return ehlo;
    }
    (this.smtp().heloFallback ??= {})[phase] = text(ehlo);
    if (ehloCode === 421) throw new ProbeError('protocol-error', 'unexpected-reply', 'server answered EHLO with 421 (closing)');
    const heloSent = conn.send(this.s.helo);
    if (heloSent) await heloSent;
    const heloLines = await conn.readLines(isLastSmtpLine, this.s.maxLines, this.s.replyLimits);
    const heloCode = replyCode(heloLines);
    if (heloCode !== 250) {
      throw new ProbeError('protocol-error', 'unexpected-reply', `server refused both EHLO (${ehloCode}) and HELO (${heloCode})`);
    }
    (this.smtp().ehloGreeting ??= {})[phase] = sanitize(heloLines[0]!.slice(4), 512);
    return heloLines;
  }

  parseCapabilities(lines: string[]): CapabilityView {
    if (this.helo) return { capabilities: [], sasl: [], startTls: false };
    return ehloCapabilities(lines);
  }

  async requestStartTls(conn: Connection): Promise<string[]> {
    const sent = conn.send(STARTTLS);
    if (sent) await sent;
    const lines = await conn.readLines(isLastSmtpLine, this.s.maxLines, this.s.replyLimits);
    const code = replyCode(lines);
    // 220 goes ahead, 4xx/5xx refuses; anything else is not an answer RFC 3207 allows.
    if (code !== 220 && code < 400) {
      this.ctx.record.starttls = { offered: true, upgraded: false, reply: text(lines) };
      throw new ProbeError('protocol-error', 'unexpected-reply', `server answered STARTTLS with ${code}`);
    }
    return lines;
  }

  startTlsAccepted(lines: string[]): boolean {
    return replyCode(lines) === 220;
  }

  async quit(conn: Connection): Promise<void> {
    const sent = conn.send(QUIT);
    if (sent) await sent;
    const limits = this.s.quitLimits;
    if (limits) await conn.readLines(isLastSmtpLine, this.s.maxLines, limits);
  }
}

function text(lines: string[]): string {
  return sanitize(lines.join('\n'));
}
