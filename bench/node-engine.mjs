/**
 * What NodeTlsEngine's byte metering costs: client CPU per completed TLS 1.3
 * handshake (connect, handshake, close) with NodeTlsEngine, which now passes
 * every raw byte through a metering Duplex and a ServerHello tap, beside a bare
 * node:tls client doing the same job as the engine used to (the socket handed
 * to tls.connect: asDuplex() of the lean socket, or the node:net socket itself,
 * whose TLS then runs on the native handle). Both socket paths, in one run.
 *
 *   npx tsc -b packages/core && node bench/node-engine.mjs [handshakes-per-round]
 *
 * Loopback only (127.0.43.50, a node tls.Server with an ECDSA P-256 key in a
 * child process, so its CPU is not counted). Bounded: 3 rounds of N (default
 * 1000) handshakes per mode, modes interleaved in each round; each mode
 * reports its median round.
 */
import { execFileSync, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { NodeTlsEngine, asDuplex, dialTcp, resolveProfile } from '@wildtls/core';

const HOST = '127.0.43.50';
const PORT = 4450;
const N = Number(process.argv[2] ?? 1000);
const ROUNDS = 3;

if (process.argv[2] === '--serve') {
  const { createServer } = await import('node:tls');
  const [key, cert] = [readFileSync(process.argv[3]), readFileSync(process.argv[4])];
  const s = createServer({ key, cert }, (c) => c.on('error', () => {}));
  s.on('tlsClientError', () => {});
  s.listen(PORT, HOST, () => process.send?.('ready'));
} else {
  await main();
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'wildtls-bench-node-engine-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-subj', '/CN=localhost', '-days', '2'], { cwd: dir, stdio: 'ignore' });
  const server = fork(new URL(import.meta.url).pathname, ['--serve', join(dir, 'k.pem'), join(dir, 'c.pem')], { stdio: 'inherit' });
  try {
    await new Promise((res, rej) => {
      server.once('message', res);
      server.once('exit', () => rej(new Error('server exited')));
      setTimeout(() => rej(new Error('server did not start')), 10_000).unref();
    });
    const engine = new NodeTlsEngine();
    const options = { profile: resolveProfile('modern', {}), observeOnly: false, readTimeoutMs: 5000, maxBytes: 1 << 20 };
    const bare = (socket) =>
      new Promise((resolve, reject) => {
        const tls = tlsConnect({ socket: asDuplex(socket), rejectUnauthorized: false, minVersion: 'TLSv1', ciphers: 'ALL:@SECLEVEL=0' });
        tls.once('secureConnect', () => {
          tls.getCipher();
          tls.getPeerX509Certificate();
          tls.destroy();
          resolve();
        });
        tls.once('error', reject);
      });
    const viaEngine = async (socket) => {
      const r = await engine.handshake(socket, options);
      if (!r.info.completed) throw new Error(r.info.error?.message ?? 'not completed');
      r.stream.destroy();
    };
    const modes = [
      ['NodeTlsEngine (metered), lean socket', 'lean', viaEngine],
      ['bare node:tls over asDuplex, lean socket (old socket path)', 'lean', bare],
      ['NodeTlsEngine (metered), node:net socket', 'node', viaEngine],
      ['bare node:tls on the node:net socket (old socket path)', 'node', bare],
    ];
    const results = new Map(modes.map(([name]) => [name, []]));
    const run = async (kind, shake, n) => {
      const t0 = process.cpuUsage();
      const w0 = performance.now();
      for (let i = 0; i < n; i++) {
        const socket = await dialTcp(HOST, PORT, { timeoutMs: 5000, kind });
        socket.on('error', () => {});
        await shake(socket);
        socket.destroy();
      }
      const c = process.cpuUsage(t0);
      return { cpuMs: (c.user + c.system) / 1000 / n, wallMs: (performance.now() - w0) / n };
    };
    for (const [, kind, shake] of modes) await run(kind, shake, Math.min(300, N)); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, kind, shake] of round % 2 ? [...modes].reverse() : modes) results.get(name).push(await run(kind, shake, N));
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(`node ${process.version}, ${cpus().length} x ${cpus()[0]?.model}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    console.log(`${N} handshakes per round, ${ROUNDS} rounds, median round; client CPU (user+sys) and wall per handshake`);
    for (const [name] of modes) {
      const rs = results.get(name);
      console.log(`${name.padEnd(62)} ${median(rs.map((r) => r.cpuMs)).toFixed(3)} ms CPU  ${median(rs.map((r) => r.wallMs)).toFixed(3)} ms wall`);
    }
  } finally {
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}
