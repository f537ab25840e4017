// What a scan makes per probe, counted, never timed (the hooks slow a run down): async resources by
// type (PROMISE, each await included; Timeout; Immediate; TickObject; TCPWRAP...) and calls of the
// node:crypto entry points the TLS engine uses (one createCipheriv or createDecipheriv per TLS record
// sealed or opened). Preload it into two scans that differ only in their target count; per probe is
// the difference over the difference in targets:
//
//   COUNTS_OUT=/tmp/c1.txt  node --import ./plugins/protocol-smtp/bench/probe-counts.mjs packages/cli/bin/run.js scan ... --port 10025
//   COUNTS_OUT=/tmp/c16.txt node --import ./plugins/protocol-smtp/bench/probe-counts.mjs packages/cli/bin/run.js scan ... --port 10025 ... --port 10040
//   node plugins/protocol-smtp/bench/probe-counts.mjs --diff /tmp/c1.txt /tmp/c16.txt 3810
//
// Each run writes `name count` lines to COUNTS_OUT at exit (stderr without it).
import { createHook } from 'node:async_hooks';
import crypto from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

if (process.argv[2] === '--diff' && process.argv.length >= 5) {
  const load = (f) => new Map(readFileSync(f, 'utf8').trim().split('\n').map((l) => l.split(' ')).map(([k, v]) => [k, Number(v)]));
  const [a, b, n] = [load(process.argv[3]), load(process.argv[4]), Number(process.argv[5] ?? 1)];
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    const d = ((b.get(k) ?? 0) - (a.get(k) ?? 0)) / n;
    if (d >= 0.005) console.log(`${k.padEnd(28)} ${d.toFixed(2)}`);
  }
} else {
  const counts = new Map();
  const count = (k) => counts.set(k, (counts.get(k) ?? 0) + 1);
  createHook({ init: (_id, type) => count(`async:${type}`) }).enable();
  for (const name of ['createCipheriv', 'createDecipheriv', 'createHash', 'createHmac', 'hash', 'diffieHellman', 'createPublicKey']) {
    const f = crypto[name];
    if (typeof f !== 'function') continue;
    crypto[name] = function counted(...args) {
      count(`crypto:${name}`);
      return f.apply(this, args);
    };
  }
  // The engine imports node:crypto's named exports: make them the counting wrappers too.
  syncBuiltinESMExports();
  process.on('exit', () => {
    const out = [...counts].map(([k, v]) => `${k} ${v}`).join('\n') + '\n';
    if (process.env.COUNTS_OUT) writeFileSync(process.env.COUNTS_OUT, out);
    else process.stderr.write(out);
  });
}
