#!/usr/bin/env node
// node bench/client-hello-template.mjs OLD_ROOT NEW_ROOT [N=20000] [ROUNDS=5]
// CPU per ClientHello (clientHelloRecord, the default profile, one reused x25519 + P-256 share pair)
// of two builds, alternating rounds, each in a fresh process: "same" = the same inputs every time
// (IP targets: the template's case), "sni" = a new SNI every time (a miss each: the worst case of a
// bounded cache). Warm-up is part of what is measured (a fresh process per round, as a scan's window).
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [oldRoot, newRoot, nArg, roundsArg] = process.argv.slice(2);
if (process.env.CH_CHILD) {
  const root = process.env.CH_CHILD;
  const ch = await import(pathToFileURL(resolve(root, 'packages/core/dist/tls/client-hello.js')).href);
  const pr = await import(pathToFileURL(resolve(root, 'packages/core/dist/tls/profiles.js')).href);
  const cp = ch.compileProfile(pr.resolveProfile('study', {}));
  const shares = [{ group: 'x25519', publicKey: Buffer.alloc(32, 1) }, { group: 'secp256r1', publicKey: Buffer.alloc(65, 4) }];
  const n = Number(process.env.CH_N);
  const mode = process.env.CH_MODE;
  const t0 = process.cpuUsage();
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const random = Buffer.allocUnsafe(32); random.writeUInt32BE(i);
    const r = ch.clientHelloRecord(cp, { random, sessionId: Buffer.alloc(32, i & 255), serverName: mode === 'sni' ? `host${i}.example` : undefined, alpn: [], keyShares: shares });
    bytes += r.record.length;
  }
  const t = process.cpuUsage(t0);
  console.log(((t.user + t.system) / n).toFixed(3), bytes);
  process.exit(0);
}
if (!oldRoot || !newRoot) { console.error('usage: node bench/client-hello-template.mjs OLD_ROOT NEW_ROOT [N] [ROUNDS]'); process.exit(2); }
const n = Number(nArg ?? 20000), rounds = Number(roundsArg ?? 5);
const med = (a) => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)];
for (const mode of ['same', 'sni']) {
  const res = { old: [], new: [] };
  for (let r = 0; r < rounds; r++) {
    for (const [who, root] of [['old', oldRoot], ['new', newRoot]]) {
      const out = execFileSync(process.execPath, [process.argv[1]], { env: { ...process.env, CH_CHILD: root, CH_N: String(n), CH_MODE: mode } }).toString().trim();
      res[who].push(Number(out.split(' ')[0]));
    }
  }
  console.log(`${mode}: old ${med(res.old).toFixed(3)} us/hello, new ${med(res.new).toFixed(3)} us/hello, new/old ${(med(res.new) / med(res.old)).toFixed(3)} (medians of ${rounds}, ${n} hellos each)`);
}
