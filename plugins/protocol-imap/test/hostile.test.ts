import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runDialogAgainst, selfSignedCertificate, startScriptedServer, type ScriptStep, type ScriptedServer, type TestCertificate } from '@wildtls/core/testing';
import plugin from '../src/index.js';

/*
 * Servers that misbehave: every case ends in a classified status within its
 * deadlines, keeps what was learnt so far, and never sends credentials.
 */

const [imap] = plugin.services;
let cert: TestCertificate;
let server: ScriptedServer | undefined;

beforeAll(async () => {
  cert = await selfSignedCertificate({ commonName: 'mail.wildtls.test', keyType: 'ec' });
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const GREETING = '* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] test ready\r\n';
const PLAIN_GREETING = '* OK test ready\r\n';

async function probe(script: ScriptStep[], o: { readTimeoutMs?: number; probeTimeoutMs?: number; options?: unknown; maxTotalBytes?: number } = {}) {
  server = await startScriptedServer({ script, tls: cert });
  const record = await runDialogAgainst({ port: server.port, spec: imap!, protocolId: 'imap', readTimeoutMs: o.readTimeoutMs ?? 1000, probeTimeoutMs: o.probeTimeoutMs ?? 3000, options: o.options, maxTotalBytes: o.maxTotalBytes });
  const sent = server.received.flat();
  // Whatever the server did, the scanner never tried to log in.
  expect(sent.some((l) => /\b(LOGIN|AUTHENTICATE)\b/i.test(l))).toBe(false);
  return { record, sent };
}

describe('IMAP against hostile servers', () => {
  it('overlong greeting line: line-too-long', async () => {
    const { record } = await probe([{ send: '* OK ' + 'A'.repeat(20_000) + '\r\n' }]);
    expect(record.status).toBe('protocol-error');
    expect(record.error?.reason).toBe('line-too-long');
  });

  it('overlong line inside a CAPABILITY reply: line-too-long, greeting kept', async () => {
    const { record } = await probe([{ send: PLAIN_GREETING }, { expect: 'W001 CAPABILITY' }, { send: '* CAPABILITY IMAP4rev1 ' + 'X'.repeat(10_000) }]);
    expect(record.error?.reason).toBe('line-too-long');
    expect(record.banner).toBe('* OK test ready');
  });

  it('never-ending CAPABILITY reply: reply-too-large at the line cap', async () => {
    const flood = '* CAPABILITY IMAP4rev1 X-FLOOD\r\n'.repeat(400);
    const { record } = await probe([{ send: PLAIN_GREETING }, { expect: 'W001 CAPABILITY' }, { send: flood }]);
    expect(record.status).toBe('protocol-error');
    expect(record.error?.reason).toBe('reply-too-large');
  });

  it('the line cap is configurable', async () => {
    const lines = '* CAPABILITY A\r\n'.repeat(20) + 'W001 OK done\r\n';
    const { record } = await probe([{ send: PLAIN_GREETING }, { expect: 'W001 CAPABILITY' }, { send: lines }], { options: { maxReplyLines: 10 } });
    expect(record.error?.reason).toBe('reply-too-large');
  });

  it('byte flood past the connection total: reply-too-large', async () => {
    const flood = ('* CAPABILITY ' + 'Y '.repeat(1000) + '\r\n').repeat(60);
    const { record } = await probe([{ send: PLAIN_GREETING }, { expect: 'W001 CAPABILITY' }, { send: flood }], { maxTotalBytes: 64 * 1024 });
    expect(record.error?.reason).toBe('reply-too-large');
  });

  it('slow drip of a greeting past the read deadline: timeout', async () => {
    const drip: ScriptStep[] = [...'* OK [CAPABILITY IMAP4rev1 STARTTLS] slow'].map((c) => ({ send: c, delayMs: 40 }));
    const { record } = await probe(drip, { readTimeoutMs: 300 });
    expect(record.status).toBe('timeout');
    expect(record.error?.reason).toBe('read-timeout');
  });

  it('lines that each arrive in time but never finish the reply: the probe deadline ends it', async () => {
    const drip: ScriptStep[] = Array.from({ length: 40 }, () => ({ send: '* OK still thinking\r\n', delayMs: 50 }));
    const { record } = await probe([{ send: PLAIN_GREETING }, { expect: 'W001 CAPABILITY' }, ...drip], { readTimeoutMs: 1000, probeTimeoutMs: 600, options: { maxReplyLines: 1000 } });
    expect(record.status).toBe('timeout');
    expect(record.error?.reason).toBe('probe-timeout');
  });

  it('binary garbage instead of a greeting: malformed-reply, banner recorded escaped', async () => {
    const { record } = await probe([{ send: Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x80, 0x1b]), Buffer.from('\r\n')]) }]);
    expect(record.status).toBe('protocol-error');
    expect(record.error?.reason).toBe('malformed-reply');
    expect(record.banner).toBe('\\x16\\x03\\x01\\x00ÿ\\x80\\x1b');
  });

  it('binary garbage in a CAPABILITY reply: malformed-reply', async () => {
    const { record } = await probe([{ send: PLAIN_GREETING }, { expect: 'W001 CAPABILITY' }, { send: Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x0d, 0x0a]) }]);
    expect(record.error?.reason).toBe('malformed-reply');
  });

  it('STARTTLS accepted, then plaintext in the same packet: refused as an injection hazard', async () => {
    const { record } = await probe([{ send: GREETING }, { expect: 'W001 STARTTLS' }, { send: 'W001 OK go\r\n* OK injected\r\n' }]);
    expect(record.status).toBe('protocol-error');
    expect(record.error?.reason).toBe('unexpected-reply');
    expect(record.starttls).toEqual({ offered: true, upgraded: true, reply: 'W001 OK go' });
    expect(record.tls).toBeUndefined();
  });

  it('STARTTLS accepted, then plaintext garbage instead of a ServerHello: tls-failed', async () => {
    const { record } = await probe([{ send: GREETING }, { expect: 'W001 STARTTLS' }, { send: 'W001 OK go\r\n' }, { send: 'this is not TLS at all\r\n', delayMs: 100 }]);
    expect(record.status).toBe('tls-failed');
    expect(record.starttls).toEqual({ offered: true, upgraded: true, reply: 'W001 OK go' });
    expect(record.tls?.completed).toBe(false);
    expect(record.capabilities?.beforeTls).toEqual(['IMAP4rev1', 'STARTTLS', 'LOGINDISABLED']);
  });

  it('STARTTLS refused with NO: the exact reply, untagged lines included', async () => {
    const { record, sent } = await probe([{ send: GREETING }, { expect: 'W001 STARTTLS' }, { send: '* OK [ALERT] TLS is broken today\r\nW001 NO [UNAVAILABLE] STARTTLS not available\r\n' }, { expect: 'W002 LOGOUT' }, { send: '* BYE bye\r\nW002 OK done\r\n' }]);
    expect(record.status).toBe('starttls-refused');
    expect(record.starttls).toEqual({ offered: true, upgraded: false, reply: '* OK [ALERT] TLS is broken today\nW001 NO [UNAVAILABLE] STARTTLS not available' });
    expect(sent).toEqual(['W001 STARTTLS', 'W002 LOGOUT']);
  });

  it('STARTTLS refused with BAD', async () => {
    const { record } = await probe([{ send: GREETING }, { expect: 'W001 STARTTLS' }, { send: 'W001 BAD unknown command\r\n' }, { expect: 'W002 LOGOUT' }, { send: 'W002 OK bye\r\n' }]);
    expect(record.status).toBe('starttls-refused');
    expect(record.starttls?.reply).toBe('W001 BAD unknown command');
  });

  it('STARTTLS answered with BYE and a hang-up: refused, reply recorded', async () => {
    const { record } = await probe([{ send: GREETING }, { expect: 'W001 STARTTLS' }, { send: '* BYE TLS not configured\r\n' }, { close: true }]);
    expect(record.status).toBe('starttls-refused');
    expect(record.starttls?.reply).toBe('* BYE TLS not configured');
  });

  it('greeting BYE: the server refuses the session; banner kept', async () => {
    const { record, sent } = await probe([{ send: '* BYE Too many connections from your IP\r\n' }, { close: true }]);
    expect(record.status).toBe('protocol-error');
    expect(record.error?.reason).toBe('unexpected-reply');
    expect(record.banner).toBe('* BYE Too many connections from your IP');
    expect(sent).toEqual([]);
  });

  it('CAPABILITY refused with BAD: protocol-error naming the reply', async () => {
    const { record } = await probe([{ send: PLAIN_GREETING }, { expect: 'W001 CAPABILITY' }, { send: 'W001 BAD no such command\r\n' }]);
    expect(record.status).toBe('protocol-error');
    expect(record.error?.message).toContain('W001 BAD no such command');
  });

  it('a continuation request to CAPABILITY: unexpected-reply', async () => {
    const { record } = await probe([{ send: PLAIN_GREETING }, { expect: 'W001 CAPABILITY' }, { send: '+ send me more\r\n' }]);
    expect(record.error?.reason).toBe('unexpected-reply');
  });

  it('a reply with another tag: malformed-reply', async () => {
    const { record } = await probe([{ send: PLAIN_GREETING }, { expect: 'W001 CAPABILITY' }, { send: 'A999 OK done\r\n' }]);
    expect(record.error?.reason).toBe('malformed-reply');
  });

  it('capabilities only in the tagged OK response code are used', async () => {
    const { record } = await probe([{ send: PLAIN_GREETING }, { expect: 'W001 CAPABILITY' }, { send: 'W001 OK [CAPABILITY IMAP4rev1 AUTH=GSSAPI] done\r\n' }, { expect: 'W002 LOGOUT' }, { send: 'W002 OK\r\n' }]);
    expect(record.status).toBe('no-starttls');
    expect(record.capabilities).toEqual({ beforeTls: ['IMAP4rev1', 'AUTH=GSSAPI'] });
    expect(record.sasl).toEqual({ beforeTls: ['GSSAPI'] });
  });

  it('STARTTLS not offered: never sent, no-starttls', async () => {
    const { record, sent } = await probe([{ send: '* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] no tls here\r\n' }, { expect: 'W001 LOGOUT' }, { send: '* BYE\r\nW001 OK\r\n' }]);
    expect(record.status).toBe('no-starttls');
    expect(record.starttls).toEqual({ offered: false, upgraded: false });
    expect(record.sasl).toEqual({ beforeTls: ['PLAIN'] });
    expect(sent).toEqual(['W001 LOGOUT']);
  });

  it('PREAUTH: STARTTLS is not valid in the authenticated state, so it is not sent', async () => {
    const { record, sent } = await probe([{ send: '* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] logged in already\r\n' }, { expect: 'W001 LOGOUT' }, { send: '* BYE\r\nW001 OK\r\n' }]);
    expect(record.status).toBe('no-starttls');
    expect(record.capabilities?.beforeTls).toEqual(['IMAP4rev1', 'STARTTLS']);
    expect(sent).toEqual(['W001 LOGOUT']);
  });

  it('server hangs up after the greeting: connection-closed', async () => {
    const { record } = await probe([{ send: PLAIN_GREETING }, { close: true }]);
    expect(record.status).toBe('protocol-error');
    expect(record.error?.reason).toBe('connection-closed');
  });
});
