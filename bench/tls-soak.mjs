/**
 * Soak test of the raw TLS engine against `openssl s_server` on loopback
 * (127.0.28.x): per cell, N full handshakes, each followed by an HTTP request
 * and s_server's -www page over the decrypted stream. Rare failures (one in
 * hundreds or thousands) hide from the interop tests, which do one handshake
 * per cell; a DHE bug that failed one handshake in 700 was found this way.
 * Bounded: N per cell (default 1000) and 60 s per cell; loopback only.
 *
 *   npx tsc -b packages/core && node bench/tls-soak.mjs [N]
 */
import { execFileSync, spawn } from 'node:child_process';
import { getDiffieHellman } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RawTlsEngine, dialTcp, resolveProfile } from '@wildtls/core';

const dir = mkdtempSync(join(tmpdir(), 'wildtls-soak-'));
const ossl = (...a) => execFileSync('openssl', a, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });

/** A PEM DHParameter file for an RFC 3526 group, without running dhparam. */
function writeDhParams(file, group) {
  const len = (n) => (n < 128 ? Buffer.from([n]) : Buffer.from([0x82, n >> 8, n & 255]));
  const tlv = (t, body) => Buffer.concat([Buffer.from([t]), len(body.length), body]);
  const int = (v) => tlv(2, v[0] & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
  const dh = getDiffieHellman(group);
  const body = tlv(0x30, Buffer.concat([int(dh.getPrime()), int(dh.getGenerator())]));
  writeFileSync(join(dir, file), `-----BEGIN DH PARAMETERS-----\n${body.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END DH PARAMETERS-----\n`);
}
writeDhParams('dh1024.pem', 'modp2');
writeDhParams('dh2048.pem', 'modp14');
ossl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'rsa.key', '-out', 'rsa.crt', '-subj', '/CN=x', '-days', '2');
ossl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ec.key', '-out', 'ec.crt', '-subj', '/CN=x', '-days', '2');
const tls12 = (suite, extra = {}) => ({ extends: 'compat', cipherSuites: [suite], ...extra });
/** @type {[label: string, serverArgs: string[], cert: 'rsa' | 'ec', profile: string | object][]} */
const cells = [
  ['tls13 x25519', [], 'rsa', 'modern'],
  ['tls13 p256 hrr', ['-groups', 'P-256'], 'rsa', 'modern'],
  ['tls13 p384 share', [], 'ec', { extends: 'modern', keyShares: ['secp384r1'] }],
  ['tls13 chacha', ['-ciphersuites', 'TLS_CHACHA20_POLY1305_SHA256'], 'rsa', 'modern'],
  ['tls12 ecdhe p256 gcm', ['-no_tls1_3'], 'rsa', tls12('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256')],
  ['tls12 ecdhe p384 cbc384', ['-no_tls1_3'], 'rsa', tls12('TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384', { groups: ['secp384r1'] })],
  ['tls12 ecdhe p521', ['-no_tls1_3'], 'rsa', tls12('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', { groups: ['secp521r1'] })],
  ['tls12 x25519 chacha', ['-no_tls1_3'], 'rsa', tls12('TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', { groups: ['x25519'] })],
  ['tls12 rsa kx', ['-no_tls1_3', '-cipher', 'AES128-SHA256'], 'rsa', tls12('TLS_RSA_WITH_AES_128_CBC_SHA256')],
  ['tls10 ecdhe cbc', ['-tls1', '-cipher', 'ALL:@SECLEVEL=0'], 'rsa', tls12('TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', { clientVersion: 'TLSv1.0' })],
  ['tls11 rsa cbc', ['-tls1_1', '-cipher', 'ALL:@SECLEVEL=0'], 'rsa', tls12('TLS_RSA_WITH_AES_256_CBC_SHA', { clientVersion: 'TLSv1.1' })],
  ['tls12 dhe 1024 cbc', ['-no_tls1_3', '-dhparam', 'dh1024.pem', '-cipher', 'DHE-RSA-AES128-SHA:@SECLEVEL=0'], 'rsa', tls12('TLS_DHE_RSA_WITH_AES_128_CBC_SHA')],
  ['tls12 dhe 2048 gcm', ['-no_tls1_3', '-dhparam', 'dh2048.pem'], 'rsa', tls12('TLS_DHE_RSA_WITH_AES_256_GCM_SHA384')],
];
const N = Number(process.argv[2] ?? 1000);
const procs = [];
try {
  for (const [i, [, args, cert]] of cells.entries()) procs.push(spawn('openssl', ['s_server', '-accept', `127.0.28.${i + 1}:4433`, '-cert', `${cert}.crt`, '-key', `${cert}.key`, '-www', '-quiet', ...args], { cwd: dir, stdio: 'ignore' }));
  // Every s_server accepts before the first handshake (bounded: 15 s).
  for (const i of cells.keys()) {
    const until = Date.now() + 15000;
    for (;;) {
      const up = await dialTcp(`127.0.28.${i + 1}`, 4433, { timeoutMs: 1000 }).then((s) => (s.destroy(), true), () => false);
      if (up) break;
      if (Date.now() > until) throw new Error(`s_server on 127.0.28.${i + 1} did not start`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const eng = new RawTlsEngine();
  for (const [i, [name, , , prof]] of cells.entries()) {
    const profile = typeof prof === 'string' ? resolveProfile(prof, {}) : resolveProfile('cell', { cell: prof });
    const errs = new Map(); let ok = 0;
    const t0 = Date.now();
    for (let k = 0; k < N && Date.now() - t0 < 60000; k++) {
      const sock = await dialTcp(`127.0.28.${i + 1}`, 4433, { timeoutMs: 5000 }).catch((e) => e);
      if (sock instanceof Error) {
        errs.set(`connect: ${sock.message}`, (errs.get(`connect: ${sock.message}`) ?? 0) + 1);
        continue;
      }
      const r = await eng.handshake(sock, { profile, observeOnly: false, readTimeoutMs: 5000, maxBytes: 1 << 20 });
      let good = r.info.completed;
      if (good) {
        const reply = await new Promise((res) => { let t = ''; const to = setTimeout(() => res(t), 5000); r.stream.on('data', (d) => { t += d; if (/<\/HTML>/i.test(t)) { clearTimeout(to); res(t); } }); r.stream.on('error', (e) => { clearTimeout(to); res('ERR ' + e.message); }); r.stream.write('GET / HTTP/1.0\r\n\r\n'); });
        if (!/<\/HTML>/i.test(reply)) { good = false; errs.set('reply: ' + String(reply).slice(0, 60), (errs.get('reply: ' + String(reply).slice(0, 60)) ?? 0) + 1); }
      } else { const key = `${r.info.error?.kind} ${r.info.error?.message}`; errs.set(key, (errs.get(key) ?? 0) + 1); }
      if (good) ok++;
      r.stream?.destroy(); sock.destroy();
    }
    console.log(`${name.padEnd(26)} ${ok} of ${ok + [...errs.values()].reduce((a, b) => a + b, 0)} completed with a reply${errs.size ? `; failures: ${JSON.stringify([...errs])}` : ''}`);
  }
} finally {
  for (const p of procs) p.kill();
  rmSync(dir, { recursive: true, force: true });
}
