import { beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate, type ScriptStep, type TestCertificate } from '@wildtls/core/testing';
import { probeScript, EHLO } from './helpers.js';

/** Servers that misbehave: every case ends in a classified status, with what was learnt kept. */

const BANNER = { send: '220 mx.hostile.test ESMTP\r\n' };
const EHLO_TLS = { send: '250-mx.hostile.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n' };
const toEhloTls: ScriptStep[] = [BANNER, { expect: EHLO }, EHLO_TLS, { expect: 'STARTTLS' }];

let cert: TestCertificate;
beforeAll(async () => {
  cert = await selfSignedCertificate({ commonName: 'mx.hostile.test' });
});

describe('line and reply caps', () => {
  it('an overlong banner line: protocol-error, line-too-long', async () => {
    const { record } = await probeScript([{ send: `220 ${'A'.repeat(20_000)}` }], { maxLineBytes: 4096 });
    expect(record.status).toBe('protocol-error');
    expect(record.error?.reason).toBe('line-too-long');
  });

  it('an overlong line inside the EHLO reply: protocol-error, banner kept', async () => {
    const { record } = await probeScript([BANNER, { expect: EHLO }, { send: `250-mx\r\n250-${'X'.repeat(10_000)}\r\n250 OK\r\n` }], { maxLineBytes: 4096 });
    expect(record.status).toBe('protocol-error');
    expect(record.error?.reason).toBe('line-too-long');
    expect(record.banner).toBe('220 mx.hostile.test ESMTP');
  });

  it('a never-ending multi-line EHLO reply: protocol-error, reply-too-large', async () => {
    const { record } = await probeScript([BANNER, { expect: EHLO }, { send: '250-PIPELINING\r\n'.repeat(5000) }], { options: { maxReplyLines: 100 } });
    expect(record.status).toBe('protocol-error');
    expect(record.error?.reason).toBe('reply-too-large');
    expect(record.capabilities).toBeUndefined();
  });

  it('a never-ending banner: protocol-error, reply-too-large', async () => {
    const { record } = await probeScript([{ send: '220-hello\r\n'.repeat(1000) }]);
    expect(record.status).toBe('protocol-error');
    expect(record.error?.reason).toBe('reply-too-large');
  });
});

describe('deadlines', () => {
  it('a banner dripped a byte at a time past the read deadline: timeout', async () => {
    const drip: ScriptStep[] = [...'220 slow server never ends its line'].map((c) => ({ send: c, delayMs: 60 }));
    const { record } = await probeScript(drip, { readTimeoutMs: 500 });
    expect(record.status).toBe('timeout');
    expect(record.error?.reason).toBe('read-timeout');
  });

  it('a multi-line reply whose every line is in time but which outlasts the probe deadline: timeout', async () => {
    const lines: ScriptStep[] = Array.from({ length: 40 }, () => ({ send: '250-STILL-GOING\r\n', delayMs: 50 }));
    const { record } = await probeScript([BANNER, { expect: EHLO }, ...lines], { readTimeoutMs: 500, probeTimeoutMs: 1000, options: { maxReplyLines: 10_000 } });
    expect(record.status).toBe('timeout');
    expect(record.error?.reason).toBe('probe-timeout');
    expect(record.banner).toBe('220 mx.hostile.test ESMTP');
  });

  it('a server that says nothing: timeout', async () => {
    const { record } = await probeScript([], { readTimeoutMs: 300 });
    expect(record.status).toBe('timeout');
  });
});

describe('garbage', () => {
  it('binary garbage instead of a banner: protocol-error, malformed-reply', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 37) & 0xff));
    bytes[200] = 0x0a;
    const { record } = await probeScript([{ send: bytes }]);
    expect(record.status).toBe('protocol-error');
    expect(record.error?.reason).toBe('malformed-reply');
  });

  it('a reply whose code changes mid-way: protocol-error, malformed-reply', async () => {
    const { record } = await probeScript([BANNER, { expect: EHLO }, { send: '250-mx\r\n354 go on\r\n' }]);
    expect(record.status).toBe('protocol-error');
    expect(record.error?.reason).toBe('malformed-reply');
    expect(record.error?.message).toBe('reply code changed from 250 to 354 inside one multi-line reply');
  });

  it('a TLS ServerHello-looking blob on a plaintext port: protocol-error', async () => {
    const { record } = await probeScript([{ send: Buffer.from('160303002a0200002603035a5b', 'hex') }, { close: true }]);
    expect(record.status).toBe('protocol-error');
  });

  it('a 554 greeting is recorded verbatim and ends the probe', async () => {
    const { record, sent } = await probeScript([{ send: '554-mx.hostile.test\r\n554 No SMTP service here\r\n' }]);
    expect(record.status).toBe('protocol-error');
    expect(record.error?.reason).toBe('unexpected-reply');
    expect(record.banner).toBe('554-mx.hostile.test\n554 No SMTP service here');
    expect(sent).toEqual([]);
  });

  it('control bytes in the banner are escaped in the record', async () => {
    const { record } = await probeScript([{ send: '220 mx\x1b[31m red\r\n' }, { expect: EHLO }, { send: '250 mx\r\n' }, { expect: 'QUIT' }, { send: '221 bye\r\n' }]);
    expect(record.banner).toBe('220 mx\\x1b[31m red');
  });

  it('a server that hangs up after EHLO: protocol-error, connection-closed', async () => {
    const { record } = await probeScript([BANNER, { expect: EHLO }, { close: true }]);
    expect(record.status).toBe('protocol-error');
    expect(record.error?.reason).toBe('connection-closed');
  });
});

describe('STARTTLS', () => {
  it('not offered: no-starttls, and the command is never sent', async () => {
    const { record, sent } = await probeScript([BANNER, { expect: EHLO }, { send: '250-mx\r\n250 PIPELINING\r\n' }, { expect: 'QUIT' }, { send: '221 bye\r\n' }]);
    expect(record.status).toBe('no-starttls');
    expect(record.starttls).toEqual({ offered: false, upgraded: false });
    expect(sent).toEqual([EHLO, 'QUIT']);
  });

  it('refused with 454: starttls-refused, the exact reply recorded, then QUIT', async () => {
    const { record, sent } = await probeScript([...toEhloTls, { send: '454 4.7.0 TLS not available due to local problem\r\n' }, { expect: 'QUIT' }, { send: '221 bye\r\n' }]);
    expect(record.status).toBe('starttls-refused');
    expect(record.starttls).toEqual({ offered: true, upgraded: false, reply: '454 4.7.0 TLS not available due to local problem' });
    expect(record.tls).toBeUndefined();
    expect(sent).toEqual([EHLO, 'STARTTLS', 'QUIT']);
  });

  it('refused with a multi-line 5xx: every line kept', async () => {
    const { record } = await probeScript([...toEhloTls, { send: '554-5.7.3 Not for you\r\n554 5.7.3 Go away\r\n' }, { expect: 'QUIT' }, { send: '221 bye\r\n' }]);
    expect(record.status).toBe('starttls-refused');
    expect(record.starttls?.reply).toBe('554-5.7.3 Not for you\n554 5.7.3 Go away');
  });

  it('answered with 250 (neither go-ahead nor refusal): protocol-error with the reply kept', async () => {
    const { record } = await probeScript([...toEhloTls, { send: '250 sure\r\n' }]);
    expect(record.status).toBe('protocol-error');
    expect(record.error?.reason).toBe('unexpected-reply');
    expect(record.starttls).toEqual({ offered: true, upgraded: false, reply: '250 sure' });
  });

  it('accepted, then plaintext garbage instead of a TLS handshake: tls-failed, pre-TLS results kept', async () => {
    const { record } = await probeScript([...toEhloTls, { send: '220 Go ahead\r\n' }, { send: 'this is not TLS at all\r\n'.repeat(4), delayMs: 50 }]);
    expect(record.status).toBe('tls-failed');
    expect(record.starttls).toEqual({ offered: true, upgraded: true, reply: '220 Go ahead' });
    expect(record.capabilities?.beforeTls).toEqual(['PIPELINING', 'STARTTLS']);
    expect(record.tls?.completed).toBe(false);
  });

  it('accepted, then the connection closed: tls-failed', async () => {
    const { record } = await probeScript([...toEhloTls, { send: '220 Go ahead\r\n' }, { close: true }]);
    expect(record.status).toBe('tls-failed');
    expect(record.error?.reason).toBe('connection-closed');
    expect(record.starttls?.upgraded).toBe(true);
    expect(record.tls?.completed).toBe(false);
  });

  it('data pipelined after the 220 go-ahead (injection hazard): protocol-error, no handshake', async () => {
    const { record } = await probeScript([...toEhloTls, { send: '220 Go ahead\r\n250-injected\r\n250 AUTH PLAIN\r\n' }]);
    expect(record.status).toBe('protocol-error');
    expect(record.error?.reason).toBe('unexpected-reply');
    expect(record.starttls).toEqual({ offered: true, upgraded: true, reply: '220 Go ahead' });
    expect(record.tls).toBeUndefined();
  });

  it('upgraded, then garbage instead of the second EHLO reply: protocol-error, TLS results kept', async () => {
    const { record } = await probeScript([...toEhloTls, { send: '220 Go ahead\r\n' }, { startTls: true }, { expect: EHLO }, { send: 'garbage\r\n' }], { cert });
    expect(record.status).toBe('protocol-error');
    expect(record.error?.reason).toBe('malformed-reply');
    expect(record.starttls?.upgraded).toBe(true);
    expect(record.tls?.chain[0]).toBe(cert.der.toString('base64'));
    expect(record.capabilities).toEqual({ beforeTls: ['PIPELINING', 'STARTTLS'] });
  });
});

describe('EHLO refused', () => {
  it('falls back to HELO, records the refusal, and sees no STARTTLS', async () => {
    const { record, sent } = await probeScript([
      BANNER,
      { expect: EHLO },
      { send: '502 5.5.2 Error: command not recognized\r\n' },
      { expect: 'HELO wildtls-research-scanner.invalid' },
      { send: '250 mx.hostile.test\r\n' },
      { expect: 'QUIT' },
      { send: '221 bye\r\n' },
    ]);
    expect(record.status).toBe('no-starttls');
    expect(record.smtp).toEqual({ heloFallback: { beforeTls: '502 5.5.2 Error: command not recognized' }, ehloGreeting: { beforeTls: 'mx.hostile.test' } });
    expect(record.capabilities).toEqual({ beforeTls: [] });
    expect(sent).toEqual([EHLO, 'HELO wildtls-research-scanner.invalid', 'QUIT']);
  });

  it('EHLO and HELO both refused: protocol-error', async () => {
    const { record } = await probeScript([BANNER, { expect: EHLO }, { send: '500 no\r\n' }, { expect: /^HELO / }, { send: '550 go away\r\n' }]);
    expect(record.status).toBe('protocol-error');
    expect(record.error?.message).toMatch(/EHLO \(500\) and HELO \(550\)/);
  });

  it('EHLO answered 421: no HELO attempt', async () => {
    const { record, sent } = await probeScript([BANNER, { expect: EHLO }, { send: '421 4.3.2 shutting down\r\n' }, { close: true }]);
    expect(record.status).toBe('protocol-error');
    expect(record.smtp?.heloFallback?.beforeTls).toBe('421 4.3.2 shutting down');
    expect(sent).toEqual([EHLO]);
  });
});
