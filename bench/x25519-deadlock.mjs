#!/usr/bin/env node
// Node 20 deadlock in X25519 key generation, and the way the engine avoids it.
//
// `generateKeyPairSync('x25519')` then `publicKey.export({ format: 'jwk' })`: the export
// holds the key's mutex while it allocates the JWK strings; when that allocation runs a
// GC that finalizes the KeyGenJob which made the key, the job's destructor locks the same
// mutex and the main thread waits on itself forever (gdb: ~KeyGenJob <- weak callbacks <-
// GC <- NewStringFromOneByte <- ExportJWKEdKey). A wildtls scan of 2,000 TLS 1.3 probes
// hung this way after ~800 records. The engine now imports 32 random bytes as a JWK
// private key (packages/core/src/tls/key-exchange.ts): no job shares the key's mutex.
//
// node bench/x25519-deadlock.mjs [--keys 200000] [--timeout 60]
// Runs each way in a child process (a deadlocked main thread cannot time itself out).
import { spawnSync } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({ options: { keys: { type: 'string', default: '200000' }, timeout: { type: 'string', default: '60' }, child: { type: 'string' } } });

if (opt.child) {
  const junk = [];
  for (let i = 0; i < Number(opt.keys); i++) {
    if (opt.child === 'generate') {
      generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' });
    } else {
      createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: randomBytes(32).toString('base64url'), x: '' }, format: 'jwk' }).export({ format: 'jwk' });
    }
    // Allocation pressure, as a scan has: GCs at many different points.
    junk.push({ i, s: 'x'.repeat(i % 100) });
    if (junk.length > 5000) junk.length = 0;
    if (i % 1000 === 0) process.stdout.write(`${i}\n`);
  }
  process.stdout.write('done\n');
  process.exit(0);
}

for (const way of ['generate', 'import']) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [process.argv[1], '--child', way, '--keys', opt.keys], { timeout: Number(opt.timeout) * 1000, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const lines = r.stdout.trim().split('\n');
  const last = lines.at(-1);
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(last === 'done' ? `${way}: ${opt.keys} keys in ${s} s` : `${way}: HUNG after about ${last} keys (killed after ${s} s)`);
}
