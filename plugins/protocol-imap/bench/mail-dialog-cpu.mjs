#!/usr/bin/env node
// Client CPU per probe of the IMAP and POP3 dialogs through the real probe path
// (runDialogAgainst: connect, dialog, TLS handshake with node:tls or the raw engine, close), against
// the Dovecot transcripts replayed by a scripted server in a child process, so
// only the scanner's side is measured. Bounded: N probes per case, 30 s each.
//   node plugins/protocol-imap/bench/mail-dialog-cpu.mjs [N]
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { NodeTlsEngine, RawTlsEngine } from '@wildtls/core';
import { runDialogAgainst } from '@wildtls/core/testing';
import imap from '@wildtls/protocol-imap';
import pop3 from '@wildtls/protocol-pop3';

const N = Math.min(Number(process.argv[2] ?? 500), 5000);
const CONCURRENCY = 16;
const LIMIT_MS = 30_000;

if (process.argv[2] === '--serve') {
  // Child: serve one transcript on loopback, print the port.
  const { startScriptedServer, selfSignedCertificate } = await import('@wildtls/core/testing');
  const { steps, implicitTls } = JSON.parse(process.argv[3]);
  const cert = await selfSignedCertificate({ keyType: 'ec' });
  const server = await startScriptedServer({ script: steps, tls: cert, implicitTls });
  process.send?.({ port: server.port });
} else {
  const fixture = (plugin, name) => JSON.parse(readFileSync(new URL(`../../${plugin}/test/fixtures/${name}.json`, import.meta.url), 'utf8')).steps;
  // The no-STARTTLS case: the STARTTLS transcript's greeting with STARTTLS removed, then LOGOUT.
  const imapNoTls = [{ send: '* OK [CAPABILITY IMAP4rev1 SASL-IR ID IDLE AUTH=PLAIN AUTH=LOGIN] ready\r\n' }, { expect: 'W001 LOGOUT' }, { send: '* BYE Logging out\r\nW001 OK Logout completed.\r\n' }, { close: true }];
  const pop3NoTls = [{ send: '+OK ready\r\n' }, { expect: 'CAPA' }, { send: '+OK\r\nTOP\r\nUIDL\r\nUSER\r\nSASL PLAIN LOGIN\r\n.\r\n' }, { expect: 'QUIT' }, { send: '+OK bye\r\n' }, { close: true }];
  const cases = [
    { name: 'imap, no STARTTLS offered', spec: imap.services[0], steps: imapNoTls },
    { name: 'imap, STARTTLS + TLS (node:tls)', spec: imap.services[0], steps: fixture('protocol-imap', 'dovecot-imap-starttls') },
    { name: 'imap, STARTTLS + TLS (raw engine)', spec: imap.services[0], steps: fixture('protocol-imap', 'dovecot-imap-starttls'), raw: true },
    { name: 'pop3, no STLS offered', spec: pop3.services[0], steps: pop3NoTls },
    { name: 'pop3, STLS + TLS (node:tls)', spec: pop3.services[0], steps: fixture('protocol-pop3', 'dovecot-pop3-stls') },
    { name: 'pop3, STLS + TLS (raw engine)', spec: pop3.services[0], steps: fixture('protocol-pop3', 'dovecot-pop3-stls'), raw: true },
  ];
  for (const c of cases) {
    const child = fork(new URL(import.meta.url).pathname, ['--serve', JSON.stringify({ steps: c.steps, implicitTls: false })], { stdio: 'ignore' });
    const port = await new Promise((resolve) => child.once('message', (m) => resolve(m.port)));
    // Warm-up, not counted.
    const engine = () => (c.raw ? new RawTlsEngine() : new NodeTlsEngine());
    for (let i = 0; i < 20; i++) await runDialogAgainst({ port, spec: c.spec, engine: engine() });
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let done = 0;
    let ok = 0;
    const worker = async () => {
      while (done < N && performance.now() - t0 < LIMIT_MS) {
        done++;
        const r = await runDialogAgainst({ port, spec: c.spec, engine: engine() });
        if (r.status === 'success' || r.status === 'no-starttls') ok++;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const cpu = process.cpuUsage(cpu0);
    const wall = performance.now() - t0;
    child.kill();
    console.log(`${c.name.padEnd(36)} probes=${done} ok=${ok} client CPU/probe=${((cpu.user + cpu.system) / 1000 / done).toFixed(3)} ms  wall=${(wall / 1000).toFixed(2)} s`);
  }
}
