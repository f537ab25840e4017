/**
 * The pathological inputs of bench/parser-cpu.mjs, one per parser and pattern.
 * Each case builds `units` (one reply, response head, stream or input line, at
 * the limits the dialogs enforce: 8 KiB lines, their reply line caps) that
 * together make up about `bytes`, and says how the dialog parses one unit.
 * `load(root)` imports the built parsers of one checkout (before or after).
 */

const LINE = 8192; // core's default maxLineBytes
let serial = 0;
/** A token never seen before in this run (worst case for de-duplication). */
const fresh = (p = 'M') => `${p}${(serial++).toString(36)}`;

/** A line of `head` and fresh tokens up to `LINE` characters. */
function tokenLine(head, token = () => fresh(), sep = ' ') {
  const parts = [head];
  let n = head.length;
  for (;;) {
    const t = token();
    if (n + sep.length + t.length > LINE) return parts.join(sep);
    parts.push(t);
    n += sep.length + t.length;
  }
}

/** Lines from `make()` grouped into units of `perUnit` lines until `bytes` characters. */
function replies(bytes, perUnit, make, close = () => []) {
  const units = [];
  let total = 0;
  while (total < bytes) {
    const lines = [];
    while (lines.length < perUnit && total < bytes) {
      const l = make();
      lines.push(l);
      total += l.length + 2;
    }
    units.push([...lines, ...close()]);
  }
  return units;
}

export async function load(root) {
  const imp = (p) => import(`${root}/${p}`);
  const [core, imap, smtp, pop3, irc, https, xml, features] = await Promise.all([
    imp('packages/core/dist/index.js'),
    imp('plugins/protocol-imap/dist/index.js'),
    imp('plugins/protocol-smtp/dist/index.js'),
    imp('plugins/protocol-pop3/dist/reply.js'),
    imp('plugins/protocol-irc/dist/index.js'),
    imp('plugins/protocol-https/dist/http-response.js'),
    imp('plugins/protocol-xmpp/dist/xml-stream.js'),
    imp('plugins/protocol-xmpp/dist/features.js'),
  ]);
  return { core, imap, smtp, pop3, irc, https, xml, features };
}

/** What the dialogs do with a parsed capability view: core's recordCapabilities (capped lists), or before it the sanitized whole lists. */
const record = (m, v, saslLength = 64) =>
  m.core.recordCapabilities ? m.core.recordCapabilities({}, 'beforeTls', v) : [v.capabilities.map((c) => m.core.sanitize(c, 512)), v.sasl.map((s) => m.core.sanitize(s, saslLength))];

// IMAP: readTagged classifies each line, then capabilitiesFromReply and parseImapCapabilities (256-line replies).
const imapReply = (m, lines) => {
  for (const l of lines) m.imap.classifyLine(l, 'W001');
  // capabilityTexts since the record caps (one text per CAPABILITY response); capabilitiesFromReply (atoms) before.
  record(m, m.imap.parseImapCapabilities((m.imap.capabilityTexts ?? m.imap.capabilitiesFromReply)(lines, 'W001')));
};
// SMTP: readReply with smtpReplyEnd, then parseReply and parseEhlo (128-line replies).
const smtpReply = (m, lines) => {
  const end = m.smtp.smtpReplyEnd();
  lines.forEach((l, i) => end(l, i));
  m.smtp.parseReply(lines);
  record(m, m.smtp.parseEhlo(lines));
};
// POP3: the CAPA body, unstuffed, then parseCapa (256 lines).
const pop3Reply = (m, lines) => record(m, m.pop3.parseCapa(lines.map(m.pop3.unstuff)));
// IRC: the line reader parses each line and checks its command; CAP LS lines add their tokens (200 lines).
const IRC_COMMAND = /^([A-Z]+|\d{3})$/;
const ircReply = (m, lines) => (m.irc.CapLsList ? ircCapLs(m, lines) : ircTokens(m, lines));
// Since the record caps: one CapLsList per reply, its view recorded.
const ircCapLs = (m, lines) => {
  const caps = new m.irc.CapLsList();
  for (const l of lines) {
    const msg = m.irc.parseMessage(l);
    if (!msg || !IRC_COMMAND.test(msg.command) || msg.command !== 'CAP') continue;
    caps.add(msg.params.length >= 3 ? msg.params.at(-1) : '');
  }
  record(m, caps.view());
};
// Before: a Set of tokens (addCapTokens), before the audit an array; the whole lists recorded.
const ircTokens = (m, lines) => {
  const caps = m.irc.addCapTokens ? new Set() : [];
  for (const l of lines) {
    const msg = m.irc.parseMessage(l);
    if (!msg || !IRC_COMMAND.test(msg.command) || msg.command !== 'CAP') continue;
    const list = msg.params.length >= 3 ? msg.params.at(-1) : '';
    // Before the audit this loop sat in the dialog (protocol-irc/src/dialog.ts): kept here to measure it.
    if (Array.isArray(caps)) for (const t of m.irc.capTokens(list)) { if (!caps.includes(t)) caps.push(t); }
    else m.irc.addCapTokens(caps, list);
  }
  const list = [...caps];
  list.map((c) => m.core.sanitize(c, 512));
  m.irc.saslMechanisms(list).map((s) => m.core.sanitize(s, 128));
};
// HTTPS: status line, header lines, Server and HSTS recorded (one response head under its 32 KiB cap).
const httpHead = (m, lines) => {
  m.https.parseStatusLine(lines[0]);
  const fields = m.https.parseHeaders(lines.slice(1));
  m.core.sanitize(m.https.firstHeader(fields, 'server') ?? '', 512);
  m.core.sanitize(m.https.firstHeader(fields, 'strict-transport-security') ?? '', 512);
};
// XMPP: one stream fed in 16 KiB chunks as StreamReader reads it; stream features parsed as the dialog does.
const HEADER = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0' id='b'>";
const xmppStream = (m, bytes) => {
  const x = new m.xml.XmlStream({ maxDepth: 16, maxElements: 1e9 });
  for (let i = 0; i < bytes.length; i += 16384) {
    for (const ev of x.feed(bytes.subarray(i, i + 16384))) if (ev.kind === 'element' && ev.element.local === 'features') record(m, m.features.parseFeatures(ev.element, false), 128);
    if (x.failure) throw new Error(`the stream failed: ${x.failure.message}`);
  }
};
/** XMPP streams of at most 256 KiB (the default maxStreamBytes) filled with `body(n)`. */
const streams = (bytes, body, close = '</stream:stream>') => {
  const units = [];
  for (let total = 0; total < bytes; total += 262144) units.push(Buffer.from(HEADER + body(262144 - HEADER.length - 64) + close));
  return units;
};
const fill = (n, piece) => piece.repeat(Math.floor(n / piece.length));

export const CASES = [
  { parser: 'imap', pattern: '"* OK [CAPABILITY" + 8 KiB of spaces, 256 per reply', run: imapReply,
    units: (b) => replies(b, 255, () => '* OK [CAPABILITY' + ' '.repeat(LINE - 16), () => ['W001 OK done']) },
  { parser: 'imap', pattern: '"* CAPABILITY" + 8 KiB of spaces and a bare CR', run: imapReply,
    units: (b) => replies(b, 255, () => '* CAPABILITY' + ' '.repeat(LINE - 16) + 'x\ry', () => ['W001 OK done']) },
  { parser: 'imap', pattern: 'CAPABILITY lines of distinct AUTH= atoms', run: imapReply,
    units: (b) => replies(b, 255, () => tokenLine('* CAPABILITY', () => fresh('AUTH=')), () => ['W001 OK done']) },
  { parser: 'smtp', pattern: '250- continuation flood of distinct AUTH mechanisms', run: smtpReply,
    units: (b) => replies(b, 127, () => tokenLine('250-AUTH'), () => ['250 OK']).map((r) => ['250-mx.example', ...r]) },
  { parser: 'smtp', pattern: '250- lines of 8 KiB of spaces', run: smtpReply,
    units: (b) => replies(b, 127, () => '250-' + ' '.repeat(LINE - 6) + 'X', () => ['250 OK']) },
  { parser: 'pop3', pattern: 'CAPA SASL lines of distinct mechanisms', run: pop3Reply,
    units: (b) => replies(b, 256, () => tokenLine('SASL')) },
  { parser: 'irc', pattern: 'CAP * LS * continuation flood of distinct caps', run: ircReply,
    units: (b) => replies(b, 199, () => tokenLine(':irc.example CAP * LS * :x'), () => [':irc.example CAP * LS :sasl=PLAIN']) },
  { parser: 'irc', pattern: 'lines of 4,000 parameters and a long trailing part', run: ircReply,
    units: (b) => replies(b, 200, () => '@a=b :p!u@h PRIVMSG ' + 'p '.repeat(4000) + ':' + 'x'.repeat(LINE - 8040)) },
  { parser: 'irc', pattern: 'a sasl= cap of 8 KiB of distinct mechanisms', run: ircReply,
    units: (b) => replies(b, 1, () => tokenLine(':irc.example CAP * LS :sasl=A', () => fresh(), ',')) },
  { parser: 'https', pattern: 'response heads of 99 long folded header lines', run: httpHead,
    units: (b) => replies(b, 99, () => ' ' + 'v '.repeat(160), () => []).map((r) => ['HTTP/1.1 200 ' + 'OK '.repeat(60), 'Server: x', ...r]) },
  { parser: 'xmpp', pattern: '<x/> flood inside <stream:features>', run: xmppStream,
    units: (b) => streams(b, (n) => '<stream:features>' + fill(n, '<x/>') + '</stream:features>') },
  { parser: 'xmpp', pattern: 'top-level <a/> flood (one event each)', run: xmppStream,
    units: (b) => streams(b, (n) => fill(n, '<a/>')) },
  { parser: 'xmpp', pattern: 'tags of 64 attributes each', run: xmppStream,
    units: (b) => streams(b, (n) => fill(n, `<a ${Array.from({ length: 64 }, (_, i) => `a${i}='v'`).join(' ')}/>`)) },
  { parser: 'xmpp', pattern: 'namespace declarations, 64 per tag, prefixed names', run: xmppStream,
    units: (b) => streams(b, (n) => fill(n, `<p0:a ${Array.from({ length: 64 }, (_, i) => `xmlns:p${i}='u${i}'`).join(' ')}/>`)) },
  { parser: 'xmpp', pattern: 'text of references (&amp;)', run: xmppStream,
    units: (b) => streams(b, (n) => '<m>' + fill(n, '&amp;') + '</m>') },
  { parser: 'xmpp', pattern: 'one attribute value of references (&lt;)', run: xmppStream,
    units: (b) => streams(b, (n) => "<a b='" + fill(n, '&lt;') + "'/>") },
  { parser: 'xmpp', pattern: 'comments and CDATA of ] and -', run: xmppStream,
    units: (b) => streams(b, (n) => '<m><!--' + fill(n / 2, '-x') + '--><![CDATA[' + fill(n / 2, ']') + ']]></m>') },
  { parser: 'xmpp', pattern: 'nesting 15 deep, repeated', run: xmppStream,
    units: (b) => streams(b, (n) => fill(n, '<a>'.repeat(15) + '</a>'.repeat(15))) },
  { parser: 'targets', pattern: 'domain-list lines of 8 KiB of commas and labels', run: (m, lines) => lines.forEach((l) => m.core.parseDomainLine(l)),
    units: (b) => replies(b, 64, () => '1,' + 'a-'.repeat(2000) + ',' + 'b.'.repeat(2000)) },
  { parser: 'targets', pattern: 'zmap lines of 8 KiB that look like IPv6', run: (m, lines) => lines.forEach((l) => m.core.parseCidr(l)),
    units: (b) => replies(b, 64, () => '1:'.repeat(LINE / 2 - 1) + '!') },
];
