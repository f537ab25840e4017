import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate, startScriptedServer, runDialogAgainst, type ScriptStep, type ScriptedServer, type TestCertificate } from '@wildtls/core/testing';
import plugin from '@wildtls/protocol-https';
import { HEAD_RESPONSE } from './fixtures/nginx-1.22.js';

const https = plugin.services[0]!;
let cert: TestCertificate;
const servers: ScriptedServer[] = [];
beforeAll(async () => {
  cert = await selfSignedCertificate({ commonName: 'www.test' });
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});
async function probe(answer: ScriptStep[], opts: { readTimeoutMs?: number; options?: unknown } = {}) {
  const s = await startScriptedServer({ script: [{ expect: /^HEAD/ }, ...answer], tls: cert, implicitTls: true });
  servers.push(s);
  return runDialogAgainst({ port: s.port, spec: https, readTimeoutMs: opts.readTimeoutMs ?? 1000, probeTimeoutMs: 8000, options: opts.options });
}

describe('https plugin: hostile servers', () => {
  it('an overlong status line hits the line cap', async () => {
    const r = await probe([{ send: 'HTTP/1.1 200 ' + 'A'.repeat(20_000) + '\r\n\r\n' }]);
    expect(r.status).toBe('protocol-error');
    expect(r.error?.reason).toBe('line-too-long');
  });

  it('never-ending headers hit the header byte cap', async () => {
    const r = await probe([{ send: 'HTTP/1.1 200 OK\r\n' + 'X-Filler: yyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\r\n'.repeat(3000) }], { options: { maxHeaders: 100000 } });
    expect(r.status).toBe('protocol-error');
    expect(r.error?.reason).toBe('reply-too-large');
    expect(r.banner).toBe('HTTP/1.1 200 OK');
  });

  it('too many header lines hit the header count cap', async () => {
    const r = await probe([{ send: 'HTTP/1.1 200 OK\r\n' + 'A: b\r\n'.repeat(200) + '\r\n' }]);
    expect(r.status).toBe('protocol-error');
    expect(r.error?.reason).toBe('reply-too-large');
  });

  it('endless interim responses are capped', async () => {
    const r = await probe([{ send: 'HTTP/1.1 102 Processing\r\n\r\n'.repeat(20) }]);
    expect(r.status).toBe('protocol-error');
    expect(r.error?.reason).toBe('reply-too-large');
  });

  it('a slow drip of the response head ends at the deadline', async () => {
    const drip: ScriptStep[] = [...HEAD_RESPONSE].map((ch) => ({ send: ch, delayMs: 20 }));
    const r = await probe(drip, { readTimeoutMs: 500 });
    expect(r.status).toBe('timeout');
    expect(r.error?.reason).toBe('read-timeout');
  });

  it('binary garbage is a malformed reply', async () => {
    const r = await probe([{ send: Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a]) }]);
    expect(r.status).toBe('protocol-error');
    expect(r.error?.reason).toBe('malformed-reply');
  });

  it('a malformed header line is a malformed reply', async () => {
    const r = await probe([{ send: 'HTTP/1.1 200 OK\r\nno colon here\r\n\r\n' }]);
    expect(r.status).toBe('protocol-error');
    expect(r.error?.reason).toBe('malformed-reply');
  });

  it('a server that closes mid-head is connection-closed', async () => {
    const r = await probe([{ send: 'HTTP/1.1 200 OK\r\nServer: x\r\n' }, { close: true }]);
    expect(r.status).toBe('protocol-error');
    expect(r.error?.reason).toBe('connection-closed');
  });

  it('silence after the handshake is a timeout', async () => {
    const r = await probe([], { readTimeoutMs: 300 });
    expect(r.status).toBe('timeout');
    expect(r.tls?.completed).toBe(true);
  });
});
