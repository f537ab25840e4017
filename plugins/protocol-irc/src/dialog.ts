import { ProbeError, recordCapabilities, sanitize, type CapabilityView, type DialogContext, type ProbeDialog, type ProbeStatus } from '@wildtls/core';
import { IrcLineReader } from './line-reader.js';
import { CapLsList } from './cap-ls.js';
import { resolveOptions, type IrcOptions } from './options.js';

/**
 * The IRC STARTTLS dialog as InspIRCd documents it (IRCv3 `tls` cap): ask
 * `CAP LS 302` first and send STARTTLS only when `tls` is listed; numeric
 * 670 means go ahead, 691 means failure. After the handshake, CAP LS again
 * on the same connection. We do not register unless the server refuses to
 * answer CAP LS before registration (451), and we leave with QUIT.
 */
export const ircDialog: ProbeDialog<IrcOptions> = async (ctx) => {
  const options = resolveOptions(ctx.options);
  const { conn, record } = ctx;
  const reader = new IrcLineReader(conn, options.maxLines, (b) => (record.banner = b));
  const phase = ctx.implicitTls ? 'afterTls' : 'beforeTls';
  const first = await capLs(ctx, reader, options, true);
  recordCapabilities(record, phase, first);
  if (ctx.implicitTls) return quit(ctx, 'success');
  if (!first.startTls) {
    record.starttls = { offered: false, upgraded: false };
    return quit(ctx, 'no-starttls');
  }
  await conn.write('STARTTLS\r\n');
  const reply = await reader.until('a reply to STARTTLS', (msg, line) => (/^(670|691|[45]\d\d)$/.test(msg.command) ? { code: msg.command, line } : undefined));
  record.starttls = { offered: true, upgraded: false, reply: sanitize(reply.line) };
  if (reply.code !== '670') return quit(ctx, 'starttls-refused');
  // 670: the server accepted STARTTLS (`upgraded`), whatever the handshake then does (tls.completed).
  record.starttls.upgraded = true;
  if (conn.hasBuffered()) {
    // Bytes after the go-ahead and before our ClientHello: a STARTTLS injection hazard.
    throw new ProbeError('protocol-error', 'unexpected-reply', 'server sent data after 670, before the TLS handshake');
  }
  const outcome = await ctx.startTls();
  if (!outcome.completed) return 'success';
  const after = await capLs(ctx, reader, options, false);
  recordCapabilities(record, 'afterTls', after);
  return quit(ctx, 'success');
};

type CapAnswer = { kind: 'caps' } | { kind: 'unsupported' } | { kind: 'register' };

/**
 * Send `CAP LS 302` and collect the capability list, following `CAP * LS *`
 * continuation lines. A server without CAP (421) has none. A server that
 * wants registration first (451) is registered once, when allowed.
 */
async function capLs(ctx: DialogContext<IrcOptions>, reader: IrcLineReader, options: IrcOptions, mayRegister: boolean): Promise<CapabilityView> {
  const caps = new CapLsList();
  await ctx.conn.write('CAP LS 302\r\n');
  const answer = await reader.until<CapAnswer>('a reply to CAP LS', (msg) => {
    if (msg.command === 'CAP' && msg.params[1]?.toUpperCase() === 'LS') {
      const more = msg.params.length >= 4 && msg.params[2] === '*';
      // `CAP <nick> LS [*] :<caps>`; a bare `CAP * LS` lists nothing.
      const list = msg.params.length >= 3 ? msg.params.at(-1)! : '';
      caps.add(list);
      return more ? undefined : { kind: 'caps' };
    }
    if (msg.command === 'CAP' && msg.params[1]?.toUpperCase() === 'NAK') return { kind: 'unsupported' };
    // 421: unknown command (no CAP at all); 410: CAP known but not this subcommand.
    if (msg.command === '421' || msg.command === '410') return { kind: 'unsupported' };
    if (msg.command === '451') return { kind: 'register' };
    return undefined;
  });
  if (answer.kind !== 'register') return caps.view();
  if (!mayRegister || !options.registerIfRequired) return new CapLsList().view();
  await register(ctx, reader, options);
  return capLs(ctx, reader, options, false);
}

/** NICK/USER, then wait for the welcome (001); a nick in use gets a suffix, a few times. */
async function register(ctx: DialogContext<IrcOptions>, reader: IrcLineReader, options: IrcOptions): Promise<void> {
  const { conn } = ctx;
  await conn.write(`NICK ${options.nick}\r\nUSER ${options.user} 0 * :${options.realname}\r\n`);
  for (let attempt = 1; ; attempt++) {
    const code = await reader.until('the registration welcome (001)', (msg) => (/^(001|43[1-3]|436|465)$/.test(msg.command) ? msg.command : undefined));
    if (code === '001') return;
    if (attempt > 3 || code === '465' || code === '432') {
      throw new ProbeError('protocol-error', 'unexpected-reply', `registration refused with numeric ${code}`);
    }
    await conn.write(`NICK ${options.nick}${attempt}\r\n`);
  }
}

async function quit(ctx: DialogContext<IrcOptions>, status: ProbeStatus): Promise<ProbeStatus> {
  try {
    await ctx.conn.write('QUIT :wildtls research scan done\r\n');
  } catch {
    /* the server may already be gone */
  }
  return status;
}
