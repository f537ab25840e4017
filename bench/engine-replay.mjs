#!/usr/bin/env node
/**
 * The TLS engine's own CPU and garbage per handshake, without sockets: recorded server flights
 * (packages/core/test/tls/fixtures) replayed into ClientHandshake, the client's key share fixed as
 * when they were recorded, N handshakes in a loop, each fed the whole flight at once and run to
 * completion (client Finished sealed, application data opened). Two builds side by side, each in
 * its own child process (its packages/core/dist), alternating, several rounds; per build and flight
 * the median round's CPU (user+sys) per handshake and the GC count and pause time per 1,000.
 *
 *   node bench/engine-replay.mjs --before /work/wt/base31 --after . [--n 5000] [--rounds 5]
 *
 * No network at all. The key agreement runs as in a scan (JWK import of the server's share, then
 * diffieHellman / ECDH), but the private key is imported once per flight.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadavg, cpus } from 'node:os';

const FLIGHTS = ['tls13-x25519-openssl', 'tls13-node-echo', 'tls12-ecdhe-rsa-ocsp-openssl', 'tls12-node-echo'];

if (process.argv[2] === '--child') {
  const [, , , build, flightDir, nText] = process.argv;
  const n = Number(nText);
  const dist = join(build, 'packages/core/dist/tls');
  const { ClientHandshake } = await import(join(dist, 'client-handshake.js'));
  const { fixedKeyShare } = await import(join(dist, 'key-exchange.js'));
  const { resolveProfile } = await import(join(dist, 'profiles.js'));
  const { PerformanceObserver } = await import('node:perf_hooks');
  let gcCount = 0;
  let gcMs = 0;
  new PerformanceObserver((l) => {
    for (const e of l.getEntries()) {
      gcCount++;
      gcMs += e.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  const out = {};
  for (const name of FLIGHTS) {
    const f = JSON.parse(readFileSync(join(flightDir, `${name}.json`), 'utf8'));
    const profile = f.profileDefinition
      ? resolveProfile('recorded', { recorded: { ...f.profileDefinition, ...f.profileOverrides } })
      : f.profileOverrides ? resolveProfile('x', { x: { extends: f.profile, ...f.profileOverrides } }) : resolveProfile(f.profile, {});
    const shares = new Map();
    const opts = {
      serverName: f.serverName,
      observeOnly: false,
      replay: {
        clientRandom: Buffer.from(f.clientRandom, 'hex'),
        sessionId: Buffer.from(f.sessionId, 'hex'),
        share: (g) => shares.get(g) ?? shares.set(g, fixedKeyShare(g, Buffer.from(f.keys[g], 'hex'))).get(g),
      },
    };
    const flight = Buffer.concat(f.serverChunks.map((c) => Buffer.from(c, 'hex')));
    const one = () => {
      const hs = new ClientHandshake(profile, opts);
      hs.start();
      hs.drain();
      hs.feed(flight);
      hs.drain();
      if (!hs.info.completed || hs.state === 'failed') throw new Error(`${name}: ${JSON.stringify(hs.info.error)}`);
    };
    for (let i = 0; i < Math.min(n, 2000); i++) one();
    await new Promise((r) => setTimeout(r, 10));
    gcCount = 0;
    gcMs = 0;
    const t0 = process.cpuUsage();
    for (let i = 0; i < n; i++) one();
    const t = process.cpuUsage(t0);
    await new Promise((r) => setTimeout(r, 10)); // let the observer report
    out[name] = { us: (t.user + t.system) / n, gcPer1000: (gcCount * 1000) / n, gcMsPer1000: (gcMs * 1000) / n };
  }
  process.stdout.write(JSON.stringify(out));
  process.exit(0);
}

const { values: opt } = parseArgs({ options: { before: { type: 'string' }, after: { type: 'string' }, n: { type: 'string', default: '5000' }, rounds: { type: 'string', default: '5' } } });
if (!opt.before || !opt.after) {
  console.error('usage: node bench/engine-replay.mjs --before BUILD --after BUILD [--n 5000] [--rounds 5]');
  process.exit(2);
}
const flightDir = resolve(import.meta.dirname, '../packages/core/test/tls/fixtures');
const builds = { before: resolve(opt.before), after: resolve(opt.after) };
const results = { before: [], after: [] };
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model}; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (let r = 0; r < Number(opt.rounds); r++) {
  for (const which of r % 2 ? ['after', 'before'] : ['before', 'after']) {
    const text = execFileSync(process.execPath, [import.meta.filename, '--child', builds[which], flightDir, opt.n], { encoding: 'utf8' });
    results[which].push(JSON.parse(text));
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`| flight | before us/handshake | after us/handshake | after/before | GCs per 1,000 before -> after | GC ms per 1,000 before -> after |`);
console.log('| --- | ---: | ---: | ---: | --- | --- |');
for (const name of FLIGHTS) {
  const m = (w, k) => median(results[w].map((x) => x[name][k]));
  console.log(`| ${name} | ${m('before', 'us').toFixed(1)} | ${m('after', 'us').toFixed(1)} | ${(m('after', 'us') / m('before', 'us')).toFixed(3)} | ${m('before', 'gcPer1000').toFixed(1)} -> ${m('after', 'gcPer1000').toFixed(1)} | ${m('before', 'gcMsPer1000').toFixed(1)} -> ${m('after', 'gcMsPer1000').toFixed(1)} |`);
}
console.log(`load after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
