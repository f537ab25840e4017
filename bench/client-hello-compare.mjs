#!/usr/bin/env node
// node bench/client-hello-compare.mjs OLD_ROOT NEW_ROOT
// The ClientHello record and message of every built-in profile, with edge variants (SNI none, short,
// 60 and 200 bytes; ALPN none, two, one long; a HelloRetryRequest cookie or not; 0-2 key shares;
// session id 0 or 32 bytes), from two checkouts' built dist/: says how many differ, exits 1 if any.
// For a change to the engine's byte writing that must leave the wire bytes as they were. Each variant
// has its own random and session id, and the new build writes it twice (the second from its template).
// Then engines (ClientHandshake, as a scan runs them) over every built-in profile, SNI and ALPN: five
// consecutive hellos from one set of shares, a key-share rotation, and the second hello after a
// HelloRetryRequest (with and without a cookie) where the profile offers TLS 1.3.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [oldRoot, newRoot] = process.argv.slice(2);
if (!oldRoot || !newRoot) {
  console.error('usage: node bench/client-hello-compare.mjs OLD_ROOT NEW_ROOT');
  process.exit(2);
}
async function load(root) {
  const dist = (f) => pathToFileURL(resolve(root, 'packages/core/dist/tls', f)).href;
  const ch = await import(dist('client-hello.js'));
  const pr = await import(dist('profiles.js'));
  const hs = await import(dist('client-handshake.js'));
  const names = await import(dist('names.js'));
  return { ch, pr, hs, names };
}
const O = await load(oldRoot), N = await load(newRoot);
const key = (n, b) => Buffer.alloc(n, b);
const variants = [];
for (const name of Object.keys(O.pr.BUILTIN_PROFILES)) {
  for (const serverName of [undefined, 'a.example', 'x'.repeat(60) + '.example', 'y'.repeat(200) + '.example']) {
    for (const alpn of [[], ['h2', 'http/1.1'], ['x'.repeat(100)]]) {
      for (const cookie of [undefined, Buffer.alloc(40, 3)]) {
        for (const shares of [[{ group: 'x25519', publicKey: key(32, 1) }], [{ group: 'x25519', publicKey: key(32, 1) }, { group: 'secp256r1', publicKey: key(65, 4) }], []]) {
          for (const sidLen of [0, 32]) {
            const i = variants.length;
            const random = Buffer.alloc(32, i & 255); random.writeUInt32BE(i);
            variants.push({ name, input: { random, sessionId: Buffer.alloc(sidLen, (i * 7) & 255), serverName, alpn, keyShares: shares, cookie } });
          }
        }
      }
    }
  }
}
let n = 0, bad = 0;
for (const v of variants) {
  const po = O.ch.compileProfile(O.pr.resolveProfile(v.name, {})), pn = N.ch.compileProfile(N.pr.resolveProfile(v.name, {}));
  const a = O.ch.clientHelloRecord(po, v.input);
  for (const b of [N.ch.clientHelloRecord(pn, v.input), N.ch.clientHelloRecord(pn, v.input)]) {
    n++;
    if (!a.record.equals(b.record) || !a.message.equals(b.message)) { bad++; if (bad < 5) console.log('DIFF', v.name, JSON.stringify(v.input.serverName), v.input.alpn, !!v.input.cookie, v.input.keyShares.length, v.input.sessionId.length); }
  }
}
console.log(`${n} hellos compared (${variants.length} variants, the new build twice each), ${bad} differ`);
if (bad) process.exitCode = 1;

// Engines, as a scan runs them: a share is the same object for its handshakes until it rotates.
const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');
const fakeShare = (group, gen) => ({ group, publicKey: Buffer.alloc(group === 'x25519' ? 32 : group === 'x448' ? 56 : 65, (gen * 31 + group.length) & 255), compute() { throw new Error('not for this bench'); } });
function helloRetry(profile, names, sid, hello1Groups, withCookie) {
  const suite = [0x1301, 0x1302, 0x1303].find((s) => profile.suites.includes(s));
  const group = profile.profile.groups.find((g) => !hello1Groups.includes(g) && ['x25519', 'secp256r1', 'secp384r1', 'secp521r1'].includes(g));
  if (suite === undefined || group === undefined || !profile.supportedVersions.includes(0x0304) || !profile.profile.extensions.includes('key_share')) return undefined;
  const ext = (type, body) => Buffer.concat([Buffer.from([type >> 8, type & 255, body.length >> 8, body.length & 255]), body]);
  const exts = Buffer.concat([ext(43, Buffer.from([3, 4])), ext(51, Buffer.from([names.GROUPS[group] >> 8, names.GROUPS[group] & 255])), withCookie ? ext(44, Buffer.concat([Buffer.from([0, 40]), Buffer.alloc(40, 5)])) : Buffer.alloc(0)]);
  const body = Buffer.concat([Buffer.from([3, 3]), HRR_RANDOM, Buffer.from([sid.length]), sid, Buffer.from([suite >> 8, suite & 255, 0, exts.length >> 8, exts.length & 255]), exts]);
  const msg = Buffer.concat([Buffer.from([2, 0, body.length >> 8, body.length & 255]), body]);
  return Buffer.concat([Buffer.from([22, 3, 3, msg.length >> 8, msg.length & 255]), msg]);
}
function engineRun(M, profileName, serverName, alpn, withCookie) {
  const profile = M.pr.resolveProfile(profileName, {});
  const cp = M.ch.compileProfile(profile);
  const out = [];
  let gen = 0;
  const shares = new Map();
  const share = (g) => { const k = `${gen}/${g}`; if (!shares.has(k)) shares.set(k, fakeShare(g, gen)); return shares.get(k); };
  for (let h = 0; h < 8; h++) {
    if (h === 5) gen++; // the shares rotate
    const random = Buffer.alloc(32, 0x40 + h), sessionId = Buffer.alloc(profile.sessionIdLength, 0x80 + h);
    const hs = new M.hs.ClientHandshake(profile, { serverName, alpn, observeOnly: true, replay: { clientRandom: random, sessionId, share } });
    hs.start();
    out.push(hs.drain() ?? Buffer.alloc(0));
    if (h === 7) {
      const hrr = helloRetry(cp, M.names, sessionId, hs.shares.map((s) => s.group), withCookie);
      if (hrr) { hs.feed(hrr); const d = hs.drain(); if (d) retries++; out.push(d ?? Buffer.from(hs.info.error?.message ?? 'no second hello')); }
    }
  }
  return out;
}
let en = 0, ebad = 0, retries = 0;
for (const name of Object.keys(O.pr.BUILTIN_PROFILES)) {
  for (const serverName of [undefined, 'a.example', 'b.example']) {
    for (const alpn of [undefined, ['h2', 'http/1.1']]) {
      for (const withCookie of [false, true]) {
        const a = engineRun(O, name, serverName, alpn, withCookie), b = engineRun(N, name, serverName, alpn, withCookie);
        for (let i = 0; i < Math.max(a.length, b.length); i++) {
          en++;
          if (!a[i] || !b[i] || !a[i].equals(b[i])) { ebad++; if (ebad < 5) console.log('ENGINE DIFF', name, serverName, alpn, withCookie, 'hello', i); }
        }
      }
    }
  }
}
console.log(`${en} engine hellos compared (8 consecutive per engine set-up, shares rotated after 5, plus ${retries / 2} second hellos after a HelloRetryRequest), ${ebad} differ`);
if (ebad) process.exitCode = 1;
