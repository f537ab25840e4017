#!/usr/bin/env node
/**
 * The per-probe native work of a TLS 1.3 handshake, each way of doing it measured side by side in
 * one process, alternating, median of the rounds' CPU (user+sys) per operation:
 * - the transcript hash at its three points (after the ServerHello, before the server Finished,
 *   after it), with the sizes of an nginx flight (3-certificate ECDSA chain): one running Hash and
 *   a copy per point but the last (what RunningHash does), one-shot `crypto.hash` over the messages
 *   joined in a shared scratch at each point (no native object), and the first point one-shot with
 *   the Hash made at the second (one copy fewer);
 * - the server's X25519 share imported as a JWK (what key-exchange.ts does) or as SPKI DER (a fixed
 *   prefix), each followed by the agreement, and the agreement alone;
 * - one AEAD record opened (a Decipheriv per record: Node cannot re-key one), 60 bytes and 3 KB;
 * - the HMAC of hmac.ts in two builds (`--before` and `--after`, their packages/core/dist), the
 *   HKDF-Expand-Label messages of TLS 1.3 (52 bytes), SHA-256 and SHA-384.
 *
 *   node bench/native-candidates.mjs --before /work/wt/base32 --after . [--rounds 7] [--n 20000]
 *
 * No network. Same-process figures: each way's cost relative to the others, not a probe's.
 */
import { createDecipheriv, createCipheriv, createHash, createPrivateKey, createPublicKey, diffieHellman, hash, randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cpus, loadavg } from 'node:os';

const { values: opt } = parseArgs({ options: { before: { type: 'string' }, after: { type: 'string' }, rounds: { type: 'string', default: '7' }, n: { type: 'string', default: '20000' } } });
if (!opt.before || !opt.after) {
  console.error('usage: node bench/native-candidates.mjs --before BUILD --after BUILD [--rounds 7] [--n 20000]');
  process.exit(2);
}
const rounds = Number(opt.rounds);
const N = Number(opt.n);
const hmacOf = async (build) => (await import(join(resolve(build), 'packages/core/dist/tls/hmac.js'))).hmac;
const hmacBefore = await hmacOf(opt.before);
const hmacAfter = await hmacOf(opt.after);

// ClientHello, ServerHello, EncryptedExtensions, Certificate, CertificateVerify, Finished (bytes).
const parts = [517, 122, 26, 3200, 80, 52].map((n) => randomBytes(n));
const scratch = Buffer.allocUnsafeSlow(64 * 1024);
const joined = (alg, n) => {
  let at = 0;
  for (let i = 0; i < n; i++) at += parts[i].copy(scratch, at);
  return Buffer.from(hash(alg, scratch.subarray(0, at), 'binary'), 'latin1');
};
const digest = (h) => Buffer.from(h.digest('binary'), 'latin1');
const transcript = (alg) => ({
  [`transcript ${alg}: running Hash, 2 copies`]: () => {
    const h = createHash(alg);
    h.update(parts[0]).update(parts[1]);
    const a = digest(h.copy());
    h.update(parts[2]).update(parts[3]).update(parts[4]);
    const b = digest(h.copy());
    return a[0] + b[0] + digest(h.update(parts[5]))[0];
  },
  [`transcript ${alg}: one-shot at each point`]: () => joined(alg, 2)[0] + joined(alg, 5)[0] + joined(alg, 6)[0],
  [`transcript ${alg}: first one-shot, then Hash + 1 copy`]: () => {
    const a = joined(alg, 2);
    const h = createHash(alg);
    for (let i = 0; i < 5; i++) h.update(parts[i]);
    const b = digest(h.copy());
    return a[0] + b[0] + digest(h.update(parts[5]))[0];
  },
});

const priv = createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: randomBytes(32).toString('base64url'), x: '' }, format: 'jwk' });
const peerRaw = Buffer.from(createPublicKey(createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: randomBytes(32).toString('base64url'), x: '' }, format: 'jwk' })).export({ format: 'jwk' }).x, 'base64url');
const peerOnce = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: peerRaw.toString('base64url') }, format: 'jwk' });
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const x25519 = {
  'x25519 peer: JWK import + agreement': () => diffieHellman({ privateKey: priv, publicKey: createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: peerRaw.toString('base64url') }, format: 'jwk' }) })[0],
  'x25519 peer: SPKI DER import + agreement': () => diffieHellman({ privateKey: priv, publicKey: createPublicKey({ key: Buffer.concat([SPKI_PREFIX, peerRaw]), format: 'der', type: 'spki' }) })[0],
  'x25519 agreement alone (the peer imported once)': () => diffieHellman({ privateKey: priv, publicKey: peerOnce })[0],
};

const key = randomBytes(16);
const nonce = randomBytes(12);
const aad = randomBytes(5);
const sealed = (n) => {
  const c = createCipheriv('aes-128-gcm', key, nonce);
  c.setAAD(aad);
  const ct = Buffer.concat([c.update(randomBytes(n)), c.final()]);
  return { ct, tag: c.getAuthTag() };
};
const small = sealed(60);
const big = sealed(3000);
const open = (r) => () => {
  const d = createDecipheriv('aes-128-gcm', key, nonce, { authTagLength: 16 });
  d.setAAD(aad);
  d.setAuthTag(r.tag);
  const pt = d.update(r.ct);
  d.final();
  return pt[0];
};
const aead = { 'AEAD open, one record of 60 bytes': open(small), 'AEAD open, one record of 3 KB': open(big) };

const msg = randomBytes(52);
const hk = (alg, f) => {
  const k = randomBytes(alg === 'sha256' ? 32 : 48);
  return () => f(alg, k, msg)[0];
};
const hmacs = {
  'HMAC-SHA256 52 bytes, before': hk('sha256', hmacBefore),
  'HMAC-SHA256 52 bytes, after': hk('sha256', hmacAfter),
  'HMAC-SHA384 52 bytes, before': hk('sha384', hmacBefore),
  'HMAC-SHA384 52 bytes, after': hk('sha384', hmacAfter),
};

const groups = [transcript('sha384'), transcript('sha256'), x25519, aead, hmacs];
const cpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model}; node ${process.version}; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log('| what | µs per operation (median of rounds) | min |');
console.log('| --- | ---: | ---: |');
let sink = 0;
for (const group of groups) {
  const times = Object.fromEntries(Object.keys(group).map((k) => [k, []]));
  const n = group === x25519 ? Math.max(1, Math.floor(N / 10)) : N;
  for (const f of Object.values(group)) for (let i = 0; i < 1000; i++) sink += f();
  for (let r = 0; r < rounds; r++) {
    const names = r % 2 ? Object.keys(group).reverse() : Object.keys(group);
    for (const name of names) {
      const f = group[name];
      const t = cpu();
      for (let i = 0; i < n; i++) sink += f();
      times[name].push((cpu() - t) / n);
    }
  }
  for (const [name, ts] of Object.entries(times)) {
    ts.sort((a, b) => a - b);
    console.log(`| ${name} | ${ts[Math.floor(ts.length / 2)].toFixed(2)} | ${ts[0].toFixed(2)} |`);
  }
}
console.log(`load after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}${sink === 0.5 ? ' ' : ''}`);
