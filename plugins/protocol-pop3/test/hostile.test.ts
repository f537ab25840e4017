import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runDialogAgainst, selfSignedCertificate, startScriptedServer, type ScriptStep, type ScriptedServer, type TestCertificate } from '@wildtls/core/testing';
import plugin from '../src/index.js';

/*
 * Servers that misbehave: every case ends in a classified status within its
 * deadlines, keeps what was learnt so far, and never sends credentials.
 */

const [pop3] = plugin.services;
let cert: TestCertificate;
let server: ScriptedServer | undefined;

beforeAll(async () => {
  cert = await selfSignedCertificate({ commonName: 'mail.wildtls.test', keyType: 'ec' });
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const GREETING = '+OK test ready\r\n';
const CAPA_STLS = '+OK\r\nTOP\r\nSTLS\r\nSASL PLAIN\r\n.\r\n';

async function probe(script: ScriptStep[], o: { readTimeoutMs?: number; probeTimeoutMs?: number; options?: unknown; maxTotalBytes?: number } = {}) {
  server = await startScriptedServer({ script, tls: cert });
  const record = await runDialogAgainst({ port: server.port, spec: pop3!, protocolId: 'pop3', readTimeoutMs: o.readTimeoutMs ?? 1000, probeTimeoutMs: o.probeTimeoutMs ?? 3000, options: o.options, maxTotalBytes: o.maxTotalBytes });
  const sent = server.received.flat();
  expect(sent.some((l) => /^(USER|PASS|APOP|AUTH)\b/i.test(l))).toBe(false);
  return { record, sent };
}

describe('POP3 against hostile servers', () => {
  it('overlong greeting: line-too-long', async () => {
    const { record } = await probe([{ send: '+OK ' + 'A'.repeat(20_000) + '\r\n' }]);
    expect(record.status).toBe('protocol-error');
    expect(record.error?.reason).toBe('line-too-long');
  });

  it('overlong CAPA line: line-too-long, greeting kept', async () => {
    const { record } = await probe([{ send: GREETING }, { expect: 'CAPA' }, { send: '+OK\r\nSASL ' + 'X'.repeat(10_000) }]);
    expect(record.error?.reason).toBe('line-too-long');
    expect(record.banner).toBe('+OK test ready');
  });

  it('never-ending CAPA list (no terminating dot): reply-too-large', async () => {
    const { record } = await probe([{ send: GREETING }, { expect: 'CAPA' }, { send: '+OK\r\n' + 'X-FLOOD\r\n'.repeat(400) }]);
    expect(record.status).toBe('protocol-error');
    expect(record.error?.reason).toBe('reply-too-large');
  });

  it('the line cap is configurable', async () => {
    const { record } = await probe([{ send: GREETING }, { expect: 'CAPA' }, { send: '+OK\r\n' + 'X\r\n'.repeat(20) + '.\r\n' }], { options: { maxReplyLines: 10 } });
    expect(record.error?.reason).toBe('reply-too-large');
  });

  it('slow drip of the greeting past the read deadline: timeout', async () => {
    const drip: ScriptStep[] = [...'+OK slow server here'].map((c) => ({ send: c, delayMs: 40 }));
    const { record } = await probe(drip, { readTimeoutMs: 300 });
    expect(record.status).toBe('timeout');
    expect(record.error?.reason).toBe('read-timeout');
  });

  it('CAPA lines that each arrive in time but never end: the probe deadline ends it', async () => {
    const drip: ScriptStep[] = Array.from({ length: 40 }, () => ({ send: 'X-MORE\r\n', delayMs: 50 }));
    const { record } = await probe([{ send: GREETING }, { expect: 'CAPA' }, { send: '+OK\r\n' }, ...drip], { probeTimeoutMs: 600, options: { maxReplyLines: 1000 } });
    expect(record.status).toBe('timeout');
    expect(record.error?.reason).toBe('probe-timeout');
  });

  it('binary garbage instead of a greeting: malformed-reply, banner escaped', async () => {
    const { record } = await probe([{ send: Buffer.from([0x00, 0x01, 0xfe, 0x7f, 0x0d, 0x0a]) }]);
    expect(record.status).toBe('protocol-error');
    expect(record.error?.reason).toBe('malformed-reply');
    expect(record.banner).toBe('\\x00\\x01þ\\x7f');
  });

  it('garbage status line to CAPA: malformed-reply', async () => {
    const { record } = await probe([{ send: GREETING }, { expect: 'CAPA' }, { send: 'HELLO?\r\n' }]);
    expect(record.error?.reason).toBe('malformed-reply');
  });

  it('STLS accepted, then plaintext in the same packet: refused as an injection hazard', async () => {
    const { record } = await probe([{ send: GREETING }, { expect: 'CAPA' }, { send: CAPA_STLS }, { expect: 'STLS' }, { send: '+OK go\r\n+OK injected\r\n' }]);
    expect(record.status).toBe('protocol-error');
    expect(record.error?.reason).toBe('unexpected-reply');
    expect(record.starttls).toEqual({ offered: true, upgraded: true, reply: '+OK go' });
  });

  it('STLS accepted, then plaintext garbage instead of a ServerHello: tls-failed', async () => {
    const { record } = await probe([{ send: GREETING }, { expect: 'CAPA' }, { send: CAPA_STLS }, { expect: 'STLS' }, { send: '+OK go\r\n' }, { send: '-ERR just kidding\r\n', delayMs: 100 }]);
    expect(record.status).toBe('tls-failed');
    expect(record.starttls).toEqual({ offered: true, upgraded: true, reply: '+OK go' });
    expect(record.tls?.completed).toBe(false);
    expect(record.sasl).toEqual({ beforeTls: ['PLAIN'] });
  });

  it('STLS refused with -ERR: the exact reply', async () => {
    const { record, sent } = await probe([{ send: GREETING }, { expect: 'CAPA' }, { send: CAPA_STLS }, { expect: 'STLS' }, { send: '-ERR [SYS/TEMP] TLS initialization failed\r\n' }, { expect: 'QUIT' }, { send: '+OK bye\r\n' }]);
    expect(record.status).toBe('starttls-refused');
    expect(record.starttls).toEqual({ offered: true, upgraded: false, reply: '-ERR [SYS/TEMP] TLS initialization failed' });
    expect(sent).toEqual(['CAPA', 'STLS', 'QUIT']);
  });

  it('greeting -ERR: the server refuses the session; banner kept', async () => {
    const { record, sent } = await probe([{ send: '-ERR too many connections\r\n' }, { close: true }]);
    expect(record.status).toBe('protocol-error');
    expect(record.error?.reason).toBe('unexpected-reply');
    expect(record.banner).toBe('-ERR too many connections');
    expect(sent).toEqual([]);
  });

  it('CAPA unsupported (-ERR): no capability list, so STLS is not sent', async () => {
    const { record, sent } = await probe([{ send: GREETING }, { expect: 'CAPA' }, { send: '-ERR unknown command\r\n' }, { expect: 'QUIT' }, { send: '+OK\r\n' }]);
    expect(record.status).toBe('no-starttls');
    expect(record.capabilities).toEqual({ beforeTls: [] });
    expect(record.starttls).toEqual({ offered: false, upgraded: false });
    expect(sent).toEqual(['CAPA', 'QUIT']);
  });

  it('byte-stuffed CAPA lines are unstuffed; a stuffed dot does not end the list', async () => {
    const { record } = await probe([{ send: GREETING }, { expect: 'CAPA' }, { send: '+OK\r\n..X-DOT\r\nTOP\r\n.\r\n' }, { expect: 'QUIT' }, { send: '+OK\r\n' }]);
    expect(record.status).toBe('no-starttls');
    expect(record.capabilities).toEqual({ beforeTls: ['.X-DOT', 'TOP'] });
  });

  it('server hangs up after the greeting: connection-closed', async () => {
    const { record } = await probe([{ send: GREETING }, { close: true }]);
    expect(record.status).toBe('protocol-error');
    expect(record.error?.reason).toBe('connection-closed');
  });
});
