// Records server flights for the byte-level replay tests (run once, by hand):
//   npx tsc -b packages/core && node packages/core/test/tls/capture-flights.mjs
// Starts `openssl s_server` on 127.0.20.250-254, drives the engine's state machine with fixed
// randomness and key shares, and stores every byte the server sent in fixtures/<name>.json.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClientHandshake } from '../../dist/tls/client-handshake.js';
import { fixedKeyShare } from '../../dist/tls/key-exchange.js';
import { resolveProfile } from '../../dist/tls/profiles.js';

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'wildtls-capture-'));
const ossl = (...a) => execFileSync('openssl', a, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });

// A CA, a leaf signed by it, and an OCSP response for the leaf.
ossl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=wildtls test CA', '-days', '3650');
ossl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=localhost');
ossl('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.crt', '-days', '3650');
writeFileSync(join(dir, 'index.txt'), '');
ossl('ocsp', '-index', 'index.txt', '-rsigner', 'ca.crt', '-rkey', 'ca.key', '-CA', 'ca.crt', '-issuer', 'ca.crt', '-cert', 'leaf.crt', '-respout', 'ocsp.der', '-ndays', '3650');
ossl('dhparam', '-out', 'dh1024.pem', '1024');
const pemToDer = (f) => readFileSync(join(dir, f), 'utf8').split('-----END CERTIFICATE-----').filter((b) => b.includes('BEGIN')).map((b) => Buffer.from(b.replace(/-----BEGIN CERTIFICATE-----|\s/g, ''), 'base64').toString('base64'));

const cases = [
  { name: 'tls13-x25519-openssl', profile: 'modern', args: ['-groups', 'X25519:P-256'] },
  { name: 'tls13-hrr-p256-openssl', profile: 'modern', args: ['-groups', 'P-256'] },
  { name: 'tls12-ecdhe-rsa-ocsp-openssl', profile: 'compat', args: ['-status_file', 'ocsp.der', '-no_tls1_3'] },
  { name: 'tls12-dhe1024-openssl', profile: 'compat', args: ['-dhparam', 'dh1024.pem', '-cipher', 'DHE-RSA-AES128-SHA256:@SECLEVEL=0', '-no_tls1_3'] },
  { name: 'tls10-ecdhe-cbc-openssl', profile: 'compat', user: { clientVersion: 'TLSv1.0' }, args: ['-cipher', 'ALL:@SECLEVEL=0', '-tls1'] },
  { name: 'alert-protocol-version-openssl', profile: 'modern', user: { supportedVersions: ['TLSv1.3'] }, args: ['-no_tls1_3'] },
  // Node's tls.Server as an echo server (sends NewSessionTickets after the handshake).
  { name: 'tls13-node-echo', profile: 'modern', node: {}, args: [] },
  { name: 'tls12-node-echo', profile: 'compat', node: { maxVersion: 'TLSv1.2' }, args: [] },
];

let host = 243;
for (const c of cases) {
  const ip = `127.0.20.${host++}`;
  let server;
  if (c.node) {
    const tlsServer = createTlsServer({ key: readFileSync(join(dir, 'leaf.key')), cert: readFileSync(join(dir, 'leaf.crt'), 'utf8') + readFileSync(join(dir, 'ca.crt'), 'utf8'), ...c.node }, (s) => {
      s.on('error', () => {});
      s.pipe(s);
    });
    await new Promise((r) => tlsServer.listen(4433, ip, r));
    server = { kill: () => tlsServer.close() };
  } else {
    server = spawn('openssl', ['s_server', '-accept', `${ip}:4433`, '-cert', 'leaf.crt', '-key', 'leaf.key', '-cert_chain', 'ca.crt', '-www', '-quiet', ...c.args], { cwd: dir, stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 600));
  }
  const profile = resolveProfile(c.user ? 'x' : c.profile, c.user ? { x: { extends: c.profile, ...c.user } } : {});
  const keys = { x25519: randomBytes(32), secp256r1: Buffer.from('0f'.repeat(32), 'hex'), secp384r1: Buffer.from('0e'.repeat(48), 'hex'), secp521r1: Buffer.concat([Buffer.from([1]), Buffer.alloc(65, 7)]) };
  const replay = { clientRandom: randomBytes(32), sessionId: randomBytes(profile.sessionIdLength) };
  const hs = new ClientHandshake(profile, { serverName: 'localhost', observeOnly: false, replay: { ...replay, share: (g) => fixedKeyShare(g, keys[g]) } });
  const received = [];
  await new Promise((resolve) => {
    const s = connect({ host: ip, port: 4433 });
    const done = () => { s.destroy(); resolve(); };
    const t = setTimeout(done, c.node ? 1000 : 3000);
    let asked = false;
    s.on('connect', () => { hs.start(); s.write(hs.drain()); });
    s.on('data', (d) => {
      received.push(d);
      hs.feed(d);
      const out = hs.drain();
      if (out) s.write(out);
      if (hs.state === 'done' && !asked) { asked = true; s.write(hs.sealApplicationData(Buffer.from('GET / HTTP/1.0\r\n\r\n'))); }
      if (hs.state === 'failed') { clearTimeout(t); setTimeout(done, 100); }
    });
    s.on('close', () => { clearTimeout(t); resolve(); });
    s.on('error', () => {});
  });
  server.kill('SIGTERM');
  const fixture = {
    name: c.name,
    server: c.node ? `node tls.Server ${JSON.stringify(c.node)} echo` : `openssl s_server ${c.args.join(' ')}`,
    profile: c.profile,
    // The whole profile as offered: built-in profiles change, a recorded ClientHello must not.
    profileDefinition: resolveProfile(c.profile, {}),
    ...(c.user ? { profileOverrides: c.user } : {}),
    serverName: 'localhost',
    clientRandom: replay.clientRandom.toString('hex'),
    sessionId: replay.sessionId.toString('hex'),
    keys: Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, v.toString('hex')])),
    expectedChain: [...pemToDer('leaf.crt'), ...pemToDer('ca.crt')],
    expectedOcsp: c.args.includes('-status_file') ? readFileSync(join(dir, 'ocsp.der')).toString('base64') : undefined,
    info: hs.info,
    // Every TCP read, in order (the replay test also re-splits them).
    serverChunks: received.map((b) => b.toString('hex')),
  };
  writeFileSync(join(here, 'fixtures', `${c.name}.json`), JSON.stringify(fixture, null, 1) + '\n');
  console.log(c.name, hs.state, hs.info.version, hs.info.cipherSuite?.name, hs.info.error?.message ?? '', received.reduce((n, b) => n + b.length, 0), 'bytes');
}
