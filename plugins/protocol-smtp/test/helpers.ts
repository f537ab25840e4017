import { readFileSync } from 'node:fs';
import { runDialogAgainst, startScriptedServer, type ScriptStep, type TestCertificate } from '@wildtls/core/testing';
import { NodeTlsEngine, RawTlsEngine, type ProbeRecord } from '@wildtls/core';
import plugin from '@wildtls/protocol-smtp';

/** Scripted servers for SMTP unit tests listen here (the SMTP block of the loopback plan). */
export const HOST = '127.0.10.50';

// Default: runDialogAgainst's engine. WILDTLS_TEST_ENGINE=raw|node picks one explicitly.
const engine = process.env.WILDTLS_TEST_ENGINE === 'raw' ? new RawTlsEngine() : process.env.WILDTLS_TEST_ENGINE === 'node' ? new NodeTlsEngine() : undefined;

export const service = (name: 'smtp' | 'submission' | 'smtps') => plugin.services.find((s) => s.name === name)!;

export interface ScriptRun {
  record: ProbeRecord;
  /** Lines the dialog sent, in order. */
  sent: string[];
}

/** Run one service's dialog, through the real probe path, against a scripted server. */
export async function probeScript(
  script: ScriptStep[],
  o: { cert?: TestCertificate; name?: 'smtp' | 'submission' | 'smtps'; options?: unknown; readTimeoutMs?: number; probeTimeoutMs?: number; maxLineBytes?: number } = {},
): Promise<ScriptRun> {
  const name = o.name ?? 'smtp';
  const server = await startScriptedServer({
    host: HOST,
    script,
    ...(o.cert ? { tls: { certPem: o.cert.certPem, keyPem: o.cert.keyPem } } : {}),
    implicitTls: name === 'smtps',
  });
  try {
    const record = await runDialogAgainst({
      host: server.host,
      port: server.port,
      spec: service(name),
      protocolId: plugin.id,
      options: o.options ?? {},
      readTimeoutMs: o.readTimeoutMs ?? 1000,
      probeTimeoutMs: o.probeTimeoutMs ?? 5000,
      maxLineBytes: o.maxLineBytes,
      ...(engine ? { engine } : {}),
    });
    // Give the server a moment to log the last line (QUIT) before reading what was sent.
    await new Promise((r) => setTimeout(r, 20));
    return { record, sent: server.received.flat() };
  } finally {
    await server.close();
  }
}

/** A recorded exchange (see test/real-servers/smtp/record-transcript.ts). */
export interface Transcript {
  source: string;
  steps: Array<{ server: string } | { client: string } | { tls: true }>;
}

export function loadTranscript(file: string): Transcript {
  return JSON.parse(readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8')) as Transcript;
}

/** Turn a recording into a server script: replay what the server said, expect what the client said. */
export function replay(t: Transcript): ScriptStep[] {
  return t.steps.map((s) => ('server' in s ? { send: s.server } : 'client' in s ? { expect: s.client } : { startTls: true as const }));
}

export const EHLO = 'EHLO wildtls-research-scanner.invalid';
