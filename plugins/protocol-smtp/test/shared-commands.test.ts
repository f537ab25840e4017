import { beforeAll, describe, expect, it } from 'vitest';
import { runDialogAgainst, selfSignedCertificate, startScriptedServer, type ScriptStep, type TestCertificate } from '@wildtls/core/testing';
import { NodeTlsEngine, RawTlsEngine } from '@wildtls/core';
import plugin from '@wildtls/protocol-smtp';

/**
 * The dialog's commands are Buffers made once and shared by every probe (per options object, and
 * STARTTLS/QUIT per process): each probe after the first must still send them intact, in plain
 * text and over TLS, where the TLS stream seals them into records.
 */
const HOST = '127.0.100.3';
const spec = plugin.services.find((s) => s.name === 'smtp')!;
// Default: runDialogAgainst's engine. WILDTLS_TEST_ENGINE=raw|node picks one explicitly.
const engine = process.env.WILDTLS_TEST_ENGINE === 'raw' ? new RawTlsEngine() : process.env.WILDTLS_TEST_ENGINE === 'node' ? new NodeTlsEngine() : undefined;

const script = (name: string): ScriptStep[] => [
  { send: '220 mx.shared.test ESMTP\r\n' },
  { expect: `EHLO ${name}` },
  { send: '250-mx.shared.test\r\n250 STARTTLS\r\n' },
  { expect: 'STARTTLS' },
  { send: '220 go ahead\r\n' },
  { startTls: true },
  { expect: `EHLO ${name}` },
  { send: '250-mx.shared.test\r\n250 AUTH PLAIN\r\n' },
  { expect: 'QUIT' },
  { send: '221 bye\r\n' },
];

let cert: TestCertificate;
beforeAll(async () => {
  cert = await selfSignedCertificate({ keyType: 'ec' });
});

async function probe(options: unknown, name: string): Promise<{ status: string; sent: string[] }> {
  const server = await startScriptedServer({ host: HOST, script: script(name), tls: { certPem: cert.certPem, keyPem: cert.keyPem } });
  try {
    const record = await runDialogAgainst({ host: HOST, port: server.port, spec, protocolId: plugin.id, options, readTimeoutMs: 2000, probeTimeoutMs: 5000, ...(engine ? { engine } : {}) });
    // Give the server a moment to log the last line (QUIT) before reading what was sent.
    await new Promise((r) => setTimeout(r, 20));
    return { status: record.status, sent: server.received.flat() };
  } finally {
    await server.close();
  }
}

describe('the shared command bytes', () => {
  it('are sent intact by every probe that shares them, before and after TLS', async () => {
    const name = 'probe.shared.test';
    const options = { ehloName: name };
    for (const [opts, ehloName] of [[options, name], [options, name], [options, name], [undefined, 'wildtls-research-scanner.invalid'], [undefined, 'wildtls-research-scanner.invalid']] as const) {
      const r = await probe(opts, ehloName);
      expect(r.status).toBe('success');
      expect(r.sent).toEqual([`EHLO ${ehloName}`, 'STARTTLS', `EHLO ${ehloName}`, 'QUIT']);
    }
  });
});
