/**
 * What the default ClientHello costs the scanner: client CPU per completed
 * handshake with the `study` profile (92 suites, X25519 and P-256 key shares,
 * padding) beside `modern` (15 suites, one X25519 share) against a TLS 1.3
 * server, and beside `compat` against a TLS 1.2-only one. `openssl s_server`
 * on 127.0.41.240-241 (ECDSA P-256 leaf, so the server is fast and the client
 * is the busy side), handshakes one after another, 3 alternating rounds,
 * median. Bounded: N per mode and round, 60 s per mode and round; loopback only.
 *
 *   npx tsc -b packages/core && node bench/study-profile.mjs [N]
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RawTlsEngine, dialTcp, resolveProfile } from '@wildtls/core';

const N = Number(process.argv[2] ?? 500);
const dir = mkdtempSync(join(tmpdir(), 'wildtls-study-'));
execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ec.key', '-out', 'ec.crt', '-subj', '/CN=x', '-days', '2'], { cwd: dir, stdio: 'ignore' });
/** @type {[ip: string, args: string[]][]} */
const servers = [
  ['127.0.41.240', []],
  ['127.0.41.241', ['-no_tls1_3']],
];
const procs = servers.map(([ip, args]) => spawn('openssl', ['s_server', '-accept', `${ip}:4433`, '-cert', 'ec.crt', '-key', 'ec.key', '-quiet', '-naccept', '100000', ...args], { cwd: dir, stdio: 'ignore' }));
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const engine = new RawTlsEngine();
const modes = [
  ['TLS 1.3 server', '127.0.41.240', 'study'],
  ['TLS 1.3 server', '127.0.41.240', 'modern'],
  ['TLS 1.2-only server', '127.0.41.241', 'study'],
  ['TLS 1.2-only server', '127.0.41.241', 'compat'],
];
async function one(ip, profile) {
  const socket = await dialTcp(ip, 4433, { timeoutMs: 5000 });
  socket.on('error', () => {});
  const { info, stream } = await engine.handshake(socket, { profile, observeOnly: false, readTimeoutMs: 5000, maxBytes: 1 << 20 });
  if (!info.completed) throw new Error(`${ip}: ${info.error?.message}`);
  stream.destroy();
  return `${info.version} ${info.cipherSuite.name} ${info.keyExchange?.group ?? ''}`;
}
// A server that exits early (its address taken, say by a stale one) must not leave the bench measuring someone else.
let finished = false;
for (const p of procs) p.on('exit', (code) => {
  if (!finished) {
    console.error(`s_server exited early (code ${code})`);
    process.exit(1);
  }
});
try {
  for (const [ip] of servers) {
    const until = Date.now() + 15000;
    while (!(await dialTcp(ip, 4433, { timeoutMs: 1000 }).then((s) => (s.destroy(), true), () => false))) {
      if (Date.now() > until) throw new Error(`s_server on ${ip} did not start`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const results = modes.map(() => []);
  const what = [];
  for (let round = 0; round < 3; round++) {
    for (const [m, [, ip, name]] of modes.entries()) {
      const profile = resolveProfile(name);
      for (let i = 0; i < 50; i++) await one(ip, profile);
      const t = cpu();
      const deadline = Date.now() + 60000;
      let n = 0;
      for (; n < N && Date.now() < deadline; n++) what[m] = await one(ip, profile);
      results[m].push((cpu() - t) / n);
    }
  }
  console.log(`Node ${process.version}, ${N} handshakes per mode and round, median of 3 rounds\n`);
  console.log('| server | profile | negotiated | ms client CPU per handshake |\n| --- | --- | --- | ---: |');
  modes.forEach(([server, , name], m) => console.log(`| ${server} | ${name} | ${what[m]} | ${results[m].sort((a, b) => a - b)[1].toFixed(3)} |`));
} finally {
  finished = true;
  for (const p of procs) p.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
