// Captures the passive benchmarks make with tcpdump on lo, from bounded local TLS traffic:
// bulk transfer (few connections, 10 MB each) and many short handshakes to `openssl s_server`.
// Shared by bench/passive-capture.mjs and bench/passive-throughput.mjs; each passes its own
// loopback addresses.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tlsConnect, createServer as createTlsServer } from 'node:tls';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** tcpdump writing `file` from lo; resolves once it listens, with stop() (after its file stops growing) giving its stderr. */
export function tcpdump(file, filter, { buffer = 131072, settleMs = 1100 } = {}) {
  const child = spawn('tcpdump', ['-U', '--immediate-mode', '-B', String(buffer), '-i', 'lo', '-w', file, ...filter], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  return new Promise((res, rej) => {
    child.stderr.on('data', (d) => { err += d; if (err.includes('listening on') && !child.started) { child.started = true; res({ stop: async () => {
      let last = -1; for (let i = 0; i < 80; i++) { const n = statSync(file).size; if (n === last) break; last = n; await sleep(settleMs); }
      child.kill('SIGINT'); await new Promise((r) => child.once('exit', r)); return err;
    } }); } });
    child.once('error', rej);
    setTimeout(() => { if (!child.started) { child.kill('SIGKILL'); rej(new Error('tcpdump did not start')); } }, 10_000).unref();
  });
}

/** How many packets tcpdump's stderr says the kernel dropped (NaN when it does not say). */
export const dropped = (log) => Number((/(\d+) packets dropped by kernel/.exec(log) ?? [])[1] ?? NaN);

/** A self-signed P-256 certificate and key in `dir` (made once). */
export function selfSignedCert(dir) {
  const key = join(dir, 'key.pem'); const cert = join(dir, 'cert.pem');
  if (!existsSync(cert)) spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '30', '-subj', '/CN=bench.example'], { stdio: 'ignore' });
  return { key, cert };
}

/**
 * TLS connections that each send 10 MB after the handshake, `megabytes` in all, from `client` to a
 * Node TLS server on `server` (implicit TLS: `wildtls passive` follows them as https).
 */
export async function captureBulk({ file, dir, megabytes, server: host, client, servername }) {
  const { key, cert } = selfSignedCert(dir);
  const server = createTlsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (s) => { s.on('data', () => {}); s.on('end', () => s.end()); s.on('error', () => {}); });
  await new Promise((r) => server.listen(0, host, r));
  const port = server.address().port;
  const cap = await tcpdump(file, ['tcp', 'and', 'host', host, 'and', 'port', String(port)]);
  const per = 10 * 1024 * 1024;
  const chunk = Buffer.alloc(16384, 0x17);
  for (let sent = 0; sent < megabytes * 1024 * 1024; sent += per) {
    await new Promise((res, rej) => {
      const send = async () => {
        for (let n = 0; n < per; n += chunk.length) if (!c.write(chunk)) await new Promise((r) => c.once('drain', r));
        c.end();
      };
      const c = tlsConnect({ host, port, localAddress: client, servername, rejectUnauthorized: false }, () => void send().catch(rej));
      c.on('error', rej); c.on('close', res); c.on('data', () => {});
      setTimeout(() => c.destroy(), 120_000).unref();
    });
  }
  const log = await cap.stop();
  server.close();
  return { port, log, dropped: dropped(log) };
}

/**
 * `n` TLS connections (TLS 1.3 and 1.2 alternating) from `client` to `openssl s_server` on `server`,
 * `parallel` at a time, each a handshake, 3 bytes and a close; `sni(i)` and `alpn` as the client sends them.
 */
export async function captureHandshakes({ file, dir, n, server: host, client, parallel = 1, sni = () => undefined, alpn }) {
  const { key, cert } = selfSignedCert(dir);
  const port = 20000 + Math.floor(Math.random() * 20000);
  const server = spawn('openssl', ['s_server', '-accept', `${host}:${port}`, '-key', key, '-cert', cert, '-quiet', ...(alpn ? ['-alpn', alpn.join(',')] : []), '-naccept', String(n)], { stdio: ['ignore', 'ignore', 'ignore'] });
  await sleep(500);
  const cap = await tcpdump(file, ['tcp', 'and', 'host', host, 'and', 'port', String(port)]);
  let next = 0;
  const one = (i) => new Promise((res) => {
    const s = tlsConnect({ host, port, localAddress: client, servername: sni(i), ALPNProtocols: alpn, rejectUnauthorized: false, maxVersion: i % 2 ? 'TLSv1.2' : 'TLSv1.3' }, () => { s.end('bye'); });
    s.on('error', res); s.on('close', res); s.on('data', () => {});
    setTimeout(() => s.destroy(), 5000).unref();
  });
  await Promise.all(Array.from({ length: parallel }, async () => { while (next < n) await one(next++); }));
  const log = await cap.stop();
  server.kill('SIGTERM');
  return { port, log, dropped: dropped(log) };
}
