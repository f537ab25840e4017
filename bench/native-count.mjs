/**
 * Native objects and backing stores a process makes through node:crypto and Buffer, counted per
 * call site kind and printed at exit as one line `native-count {...}` (to stderr, or appended to the
 * file NATIVE_COUNT_OUT names). Preload it:
 *
 *   node --import ./bench/native-count.mjs packages/cli/bin/run.js scan ... --workers 1
 *
 * Two runs that differ only in their target count give the count per probe: (n16 - n1) / (t16 - t1).
 * What is counted (each a node BaseObject, or an ArrayBuffer with a backing store of its own that the
 * ArrayBufferSweeper frees, or both):
 * - createHash, Hash.copy (a Hash each); createHmac; createCipheriv / createDecipheriv (a
 *   CipherBase each); createPublicKey / createPrivateKey (a KeyObjectHandle and a NativeKeyObject);
 *   diffieHellman (its output Buffer); createECDH; randomBytes; crypto.hash (`hash-buffer` when its
 *   output is a Buffer);
 * - `async:*`: async resources by type, as async_hooks sees them made (TCPWRAP, TCPCONNECTWRAP,
 *   WRITEWRAP, SHUTDOWNWRAP are node BaseObjects; Timeout and PROMISE are JS objects);
 * - `store:*`: native outputs that are Buffers of their own (Hash.digest to a Buffer, Cipher
 *   update/final/getAuthTag, the outputs of any length 0 included: final() makes one too), and
 *   Buffers made in JS that cannot come from the pool: Buffer.alloc over 64 bytes (V8 keeps smaller
 *   typed arrays on the heap), allocUnsafeSlow, and allocUnsafe / concat / from at or over half of
 *   Buffer.poolSize (`big:*` counts those sizes for every maker).
 * Wrapping the exports changes nothing they return; syncBuiltinESMExports() makes the wrappers what
 * `import { createHash } from 'node:crypto'` binds, so it must run before the code under test is
 * imported (a preload does). Worker threads load preloads too: each prints its own line.
 */
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { threadId } from 'node:worker_threads';
import { appendFileSync } from 'node:fs';
import { createHook } from 'node:async_hooks';

const counts = new Map();
const inc = (k) => counts.set(k, (counts.get(k) ?? 0) + 1);
function wrap(obj, name, label, after) {
  const f = obj[name];
  obj[name] = function (...args) {
    inc(label);
    const r = f.apply(this, args);
    after?.(r, args);
    return r;
  };
}
const ownStore = (label) => (r) => Buffer.isBuffer(r) && inc(`store:${label}`);

for (const n of ['createHash', 'createHmac', 'createCipheriv', 'createDecipheriv', 'createPrivateKey', 'createPublicKey', 'createECDH', 'randomBytes', 'generateKeyPairSync', 'publicEncrypt']) {
  wrap(crypto, n, n);
}
wrap(crypto, 'diffieHellman', 'diffieHellman', ownStore('diffieHellman'));
if (crypto.hash) wrap(crypto, 'hash', 'hash', (r, a) => a[2] === 'buffer' && inc('store:hash-buffer'));

const hashProto = Object.getPrototypeOf(crypto.createHash('sha256'));
wrap(hashProto, 'copy', 'Hash.copy');
wrap(hashProto, 'digest', 'Hash.digest', (r) => Buffer.isBuffer(r) && inc('store:Hash.digest'));
const key = Buffer.alloc(16);
const cipherProto = Object.getPrototypeOf(crypto.createCipheriv('aes-128-gcm', key, key.subarray(0, 12)));
const decipherProto = Object.getPrototypeOf(crypto.createDecipheriv('aes-128-gcm', key, key.subarray(0, 12)));
for (const m of ['update', 'final', 'getAuthTag']) wrap(cipherProto, m, `Cipher.${m}`, ownStore(`Cipher.${m}`));
for (const m of ['update', 'final']) wrap(decipherProto, m, `Decipher.${m}`, ownStore(`Decipher.${m}`));

const HALF = Buffer.poolSize >>> 1;
for (const n of ['alloc', 'allocUnsafe', 'allocUnsafeSlow']) {
  const f = Buffer[n];
  Buffer[n] = function (size, ...rest) {
    if (n === 'alloc' ? size > 64 : n === 'allocUnsafeSlow' || size >= HALF) inc(`store:Buffer.${n}`);
    if (size >= HALF) inc(`big:Buffer.${n}`);
    return f.call(this, size, ...rest);
  };
}
const concat = Buffer.concat.bind(Buffer);
Buffer.concat = function (list, length) {
  inc('Buffer.concat');
  const r = concat(list, length);
  if (r.length >= HALF) inc('store:Buffer.concat');
  return r;
};
const from = Buffer.from.bind(Buffer);
Buffer.from = function (...args) {
  const r = from(...args);
  if (r.length >= HALF && !(args[0] instanceof ArrayBuffer)) inc('store:Buffer.from');
  return r;
};
syncBuiltinESMExports();
counts.clear(); // the probes above
// Async resources by type (`async:TCPWRAP`, `async:TCPCONNECTWRAP`, `async:WRITEWRAP`, `async:Timeout`,
// ...): the sockets' native objects, and the JS ones async_hooks tracks (timers, promises when any
// hook is on). The hook costs CPU itself; it changes what is made only in that promises get ids.
createHook({ init: (id, type) => inc(`async:${type}`) }).enable();

process.on('exit', () => {
  const sorted = Object.fromEntries([...counts].sort((a, b) => a[0].localeCompare(b[0])));
  const line = `native-count ${JSON.stringify({ thread: threadId, ...sorted })}\n`;
  if (process.env.NATIVE_COUNT_OUT) appendFileSync(process.env.NATIVE_COUNT_OUT, line);
  else process.stderr.write(line);
});
