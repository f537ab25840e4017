// Benchmarks for the SMTP plugin, bounded in count and time.
//   node plugins/protocol-smtp/bench/smtp-bench.mjs   (after building core and the plugin)
// 1. parseEhlo on a 12-line Postfix EHLO reply (pure parsing).
// 2. Full probes (banner, EHLO, STARTTLS, TLS handshake, EHLO, QUIT) against a
//    loopback scripted server replaying the recorded Postfix transcript, 8 at a time.
import { readFileSync } from 'node:fs';
import plugin, { parseEhlo } from '@wildtls/protocol-smtp';
import { runDialogAgainst, selfSignedCertificate, startScriptedServer } from '@wildtls/core/testing';

const MAX_MS = 5000;

function benchParse() {
  const lines = ['250-mx.wildtls.test', '250-PIPELINING', '250-SIZE 10240000', '250-VRFY', '250-ETRN', '250-AUTH PLAIN LOGIN',
    '250-AUTH=PLAIN LOGIN', '250-ENHANCEDSTATUSCODES', '250-8BITMIME', '250-DSN', '250-SMTPUTF8', '250 CHUNKING'];
  const t0 = performance.now();
  let n = 0;
  while (n < 1_000_000 && performance.now() - t0 < MAX_MS) {
    for (let i = 0; i < 1000; i++) parseEhlo(lines);
    n += 1000;
  }
  const ms = performance.now() - t0;
  console.log(`parseEhlo: ${n} replies in ${ms.toFixed(0)} ms = ${Math.round(n / (ms / 1000))} replies/s`);
}

async function benchProbes() {
  const t = JSON.parse(readFileSync(new URL('../test/fixtures/postfix-submission.json', import.meta.url), 'utf8'));
  const script = t.steps.map((s) => ('server' in s ? { send: s.server } : 'client' in s ? { expect: s.client } : { startTls: true }));
  const cert = await selfSignedCertificate({ commonName: 'mx.wildtls.test', keyType: 'ec' });
  const server = await startScriptedServer({ host: '127.0.10.60', script, tls: { certPem: cert.certPem, keyPem: cert.keyPem } });
  const spec = plugin.services.find((s) => s.name === 'submission');
  const total = 400;
  const concurrency = Number(process.env.C ?? 8);
  let started = 0;
  let ok = 0;
  const durations = [];
  const t0 = performance.now();
  const worker = async () => {
    while (started < total && performance.now() - t0 < MAX_MS * 2) {
      started++;
      const r = await runDialogAgainst({ host: server.host, port: server.port, spec, protocolId: 'smtp' });
      if (r.status === 'success') ok++;
      durations.push(r.durationMs);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const ms = performance.now() - t0;
  await server.close();
  durations.sort((a, b) => a - b);
  const p = (q) => durations[Math.min(durations.length - 1, Math.floor(q * durations.length))].toFixed(1);
  console.log(`STARTTLS probes (node engine, ${concurrency} concurrent): ${durations.length} in ${ms.toFixed(0)} ms = ${(durations.length / (ms / 1000)).toFixed(0)} probes/s, ${ok} success, per-probe p50 ${p(0.5)} ms p95 ${p(0.95)} ms (durationMs includes the QUIT wait)`);
}

benchParse();
await benchProbes();
