import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceSpec } from '../../src/plugin/api.js';
import type { ProbeRecord } from '../../src/record/record-schema.js';
import { selfSignedCertificate, type TestCertificate } from '../../src/testing/certificates.js';
import { runDialogAgainst } from '../../src/testing/run-dialog.js';
import { startScriptedServer, type ScriptStep, type ScriptedServer } from '../../src/testing/scripted-server.js';

/**
 * One byte cap per probe, counted over every byte read from the socket: the
 * plaintext dialog, the TLS handshake and the TLS records after it (raw bytes,
 * never the decrypted ones again). A STARTTLS line service against a scripted
 * server on 127.0.42.2 that sends filler lines before STARTTLS and after the
 * handshake, with the probe's cap at 1 MiB. Also: a banner that never ends; and an implicit-TLS
 * service (127.0.95.1), whose dialog connection is made on the TLS stream after the handshake.
 */
const HOST = '127.0.42.2';
const IMPLICIT_HOST = '127.0.95.1';
const CAP = 1 << 20;
const KiB = 1024;

let cert: TestCertificate;
let server: ScriptedServer | undefined;
beforeAll(async () => {
  cert = await selfSignedCertificate({ commonName: 'budget.wildtls.test', keyType: 'ec' });
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** `bytes` of 1000-character lines (CRLF included), then `last`. */
function filler(bytes: number, last: string): string {
  const line = 'x'.repeat(998) + '\r\n';
  return line.repeat(Math.floor(bytes / line.length)) + `${last}\r\n`;
}

/** Lines until READY, STARTTLS, GO, handshake, lines until DONE. */
const spec: ServiceSpec = {
  name: 'budget-lines',
  defaultPort: 1,
  mode: 'starttls',
  dialog: async (ctx) => {
    while ((await ctx.conn.readLine()) !== 'READY');
    await ctx.conn.write('STARTTLS\r\n');
    if ((await ctx.conn.readLine()) !== 'GO') return 'starttls-refused';
    const { completed } = await ctx.startTls();
    if (!completed) return 'success';
    while ((await ctx.conn.readLine()) !== 'DONE');
    return 'success';
  },
};

async function probe(before: number, after: number): Promise<ProbeRecord> {
  const script: ScriptStep[] = [{ send: filler(before, 'READY') }, { expect: 'STARTTLS' }, { send: 'GO\r\n' }, { startTls: true }, { send: filler(after, 'DONE') }];
  server = await startScriptedServer({ script, tls: cert, host: HOST });
  return runDialogAgainst({ host: HOST, port: server.port, spec, maxLineBytes: 2048, maxTotalBytes: CAP, readTimeoutMs: 3000 });
}

/** Implicit TLS: the handshake on the socket itself, then lines until DONE over the TLS stream. */
const implicitSpec: ServiceSpec = {
  name: 'budget-implicit',
  defaultPort: 1,
  mode: 'implicit',
  dialog: async (ctx) => {
    while ((await ctx.conn.readLine()) !== 'DONE');
    return 'success';
  },
};

async function probeImplicit(after: number): Promise<ProbeRecord> {
  server = await startScriptedServer({ script: [{ send: filler(after, 'DONE') }], tls: cert, implicitTls: true, host: IMPLICIT_HOST });
  return runDialogAgainst({ host: IMPLICIT_HOST, port: server.port, spec: implicitSpec, maxLineBytes: 2048, maxTotalBytes: CAP, readTimeoutMs: 3000 });
}

describe('implicit TLS: the dialog\'s connection over the TLS stream charges nothing a second time', () => {
  it('600 KiB after the handshake: success, the raw bytes counted once', async () => {
    const r = await probeImplicit(600 * KiB);
    expect(r.status, JSON.stringify(r.error)).toBe('success');
    expect(r.bytesReceived).toBeGreaterThan(600 * KiB);
    expect(r.bytesReceived).toBeLessThan(CAP);
  });

  it('1.1 MiB after the handshake: reply-too-large, passed after the handshake', async () => {
    const r = await probeImplicit(1100 * KiB);
    expect(r.status).toBe('protocol-error');
    expect(r.error).toMatchObject({ reason: 'reply-too-large', message: `server sent more than ${CAP} bytes in this probe (the per-probe byte cap), passed after the TLS handshake` });
    expect(r.tls?.completed).toBe(true);
  });
});

describe('the per-probe byte budget spans dialog, handshake and TLS records', () => {
  it('600 KiB before STARTTLS alone: success', async () => {
    const r = await probe(600 * KiB, 0);
    expect(r.status, JSON.stringify(r.error)).toBe('success');
  });

  it('600 KiB after the handshake alone: success', async () => {
    const r = await probe(0, 600 * KiB);
    expect(r.status, JSON.stringify(r.error)).toBe('success');
  });

  it('600 KiB before and 400 KiB after: success (decrypted bytes are not charged a second time)', async () => {
    const r = await probe(600 * KiB, 400 * KiB);
    expect(r.status, JSON.stringify(r.error)).toBe('success');
  });

  it('600 KiB before and 600 KiB after: reply-too-large, passed after the handshake', async () => {
    const r = await probe(600 * KiB, 600 * KiB);
    expect(r.status).toBe('protocol-error');
    expect(r.error).toMatchObject({ reason: 'reply-too-large', message: `server sent more than ${CAP} bytes in this probe (the per-probe byte cap), passed after the TLS handshake` });
    expect(r.tls?.completed).toBe(true);
  });

  it('the dialog leaves too little for the handshake: a TLS protocol failure naming the cap', async () => {
    const r = await probe(CAP - 300, 0);
    expect(r.status).toBe('tls-failed');
    expect(r.tls?.error).toMatchObject({ kind: 'protocol', message: `server sent more than ${CAP} bytes in this probe (the per-probe byte cap), passed during the handshake` });
  });

  it('1.1 MiB before STARTTLS: reply-too-large in the dialog, no handshake', async () => {
    const r = await probe(1100 * KiB, 0);
    expect(r.status).toBe('protocol-error');
    expect(r.error?.reason).toBe('reply-too-large');
    expect(r.tls).toBeUndefined();
  });
});

describe('a banner that never ends', () => {
  const banner: ServiceSpec = { name: 'banner', defaultPort: 1, mode: 'starttls', dialog: async (ctx) => void (ctx.record.banner = await ctx.conn.readLine()) };
  const endless = (s: ScriptStep[]) => startScriptedServer({ script: s, host: HOST });

  it('5 MiB without a line feed: line-too-long at the line cap, nothing kept', async () => {
    server = await endless([{ send: 'A'.repeat(5 << 20) }]);
    const r = await runDialogAgainst({ host: HOST, port: server.port, spec: banner, maxLineBytes: 8192, maxTotalBytes: CAP });
    expect(r.status).toBe('protocol-error');
    expect(r.error?.reason).toBe('line-too-long');
    expect(r.banner).toBeUndefined();
  });

  it('with the line cap above the byte cap, the byte cap ends it: reply-too-large', async () => {
    server = await endless([{ send: 'A'.repeat(5 << 20) }]);
    const r = await runDialogAgainst({ host: HOST, port: server.port, spec: banner, maxLineBytes: 8 << 20, maxTotalBytes: CAP });
    expect(r.status).toBe('protocol-error');
    expect(r.error?.reason).toBe('reply-too-large');
  });

  it('the same bytes in 2,000 small writes: the same outcome', async () => {
    server = await endless(Array.from({ length: 2000 }, () => ({ send: 'A'.repeat(700) })));
    const r = await runDialogAgainst({ host: HOST, port: server.port, spec: banner, maxLineBytes: 8 << 20, maxTotalBytes: CAP });
    expect(r.error?.reason).toBe('reply-too-large');
  });
});
