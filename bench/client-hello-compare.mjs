#!/usr/bin/env node
// node bench/client-hello-compare.mjs OLD_ROOT NEW_ROOT
// The ClientHello record and message of every built-in profile, with edge variants (SNI none, short,
// 60 and 200 bytes; ALPN none, two, one long; a HelloRetryRequest cookie or not; 0-2 key shares;
// session id 0 or 32 bytes), from two checkouts' built dist/: says how many differ, exits 1 if any.
// For a change to the engine's byte writing that must leave the wire bytes as they were.
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
  return { ch, pr };
}
const O = await load(oldRoot), N = await load(newRoot);
const rnd = Buffer.alloc(32, 7), sid = Buffer.alloc(32, 9);
const key = (n, b) => Buffer.alloc(n, b);
const variants = [];
for (const name of Object.keys(O.pr.BUILTIN_PROFILES)) {
  for (const serverName of [undefined, 'a.example', 'x'.repeat(60) + '.example', 'y'.repeat(200) + '.example']) {
    for (const alpn of [[], ['h2', 'http/1.1'], ['x'.repeat(100)]]) {
      for (const cookie of [undefined, Buffer.alloc(40, 3)]) {
        for (const shares of [[{ group: 'x25519', publicKey: key(32, 1) }], [{ group: 'x25519', publicKey: key(32, 1) }, { group: 'secp256r1', publicKey: key(65, 4) }], []]) {
          for (const sidLen of [0, 32]) variants.push({ name, input: { random: rnd, sessionId: sid.subarray(0, sidLen), serverName, alpn, keyShares: shares, cookie } });
        }
      }
    }
  }
}
let n = 0, bad = 0;
for (const v of variants) {
  const po = O.ch.compileProfile(O.pr.resolveProfile(v.name, {})), pn = N.ch.compileProfile(N.pr.resolveProfile(v.name, {}));
  const a = O.ch.clientHelloRecord(po, v.input), b = N.ch.clientHelloRecord(pn, v.input);
  n++;
  if (!a.record.equals(b.record) || !a.message.equals(b.message)) { bad++; if (bad < 5) console.log('DIFF', v.name, JSON.stringify(v.input.serverName), v.input.alpn, !!v.input.cookie, v.input.keyShares.length, v.input.sessionId.length); }
}
console.log(`${n} hellos compared, ${bad} differ`);
if (bad) process.exitCode = 1;
