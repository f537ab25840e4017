/**
 * The per-network cap's own cost per probe (issue 15, s33-limiter), with no network and no TLS:
 * the admission calls a scan makes for each probe, the way each checkout's runScan makes them,
 * at the product's default cap (16 in flight per /24) over addresses spread across many /24s
 * (an Internet-wide scan: the cap is asked for every probe and almost never binds), 50 probes in
 * flight, each released in the order it was admitted.
 *
 *   npm run build && node bench/network-limiter.mjs [--cli ROOT]... [--rounds 7] [--probes 3810,1000000]
 *
 * Per checkout (default: this one; --cli ROOT, repeatable, its built core bundle) and per count of
 * probes, one fresh node process per round (so the small count includes the first, unoptimized
 * calls and the compiler's work, as in the window), checkouts alternating in every round.
 * Figure: CPU (user+sys, every thread: process.cpuUsage) of the admission loop alone, in us per
 * probe, median over the rounds. A checkout whose admission has `tryAdmit` is driven as runScan
 * drives it since s33-limiter (tryAdmit, then wait only if refused; release by address); one
 * without, as runScan drove it before (await admit(ip), call the release function it resolves to).
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({
  options: {
    cli: { type: 'string', multiple: true, default: [] },
    rounds: { type: 'string', default: '7' },
    probes: { type: 'string', default: '3810,1000000' },
    child: { type: 'string' },
    count: { type: 'string' },
  },
});

if (opt.child) {
  const core = await import(pathToFileURL(join(opt.child, 'packages/core/bundle/index.js')).href);
  const count = Number(opt.count);
  // 65,536 addresses over 16,384 /24s (4 per /24), in a scrambled order; the loop cycles through them.
  const ips = [];
  for (let i = 0; i < 65536; i++) {
    const j = Math.imul(i, 40503) & 65535; // a permutation of 0..65535 (odd multiplier)
    const net = (Math.imul(j >>> 2, 0x9e3779b1) >>> 8) % 0xdf0000; // the /24 of address j (4 addresses each)
    ips.push(`${(net >>> 16) + 1}.${(net >>> 8) & 255}.${net & 255}.${(j & 3) * 60 + 1}`);
  }
  const admit = core.createAdmission({ rate: 0, perNetwork: 16, prefixV4: 24, prefixV6: 48 });
  const keyed = typeof admit.tryAdmit === 'function';
  const held = new Array(50);
  const heldIp = new Array(50);
  const t0 = process.cpuUsage();
  let k = 0;
  for (let i = 0; i < count; i++) {
    const ip = ips[i & 65535];
    const slot = i % 50;
    // The probe admitted 50 probes ago ends first.
    if (i >= 50) {
      if (keyed) admit.release(heldIp[slot]);
      else held[slot]();
    }
    if (keyed) {
      if (!admit.tryAdmit(ip)) await admit.wait(ip);
      heldIp[slot] = ip;
    } else {
      held[slot] = await admit(ip);
    }
    k++;
  }
  const t = process.cpuUsage(t0);
  for (let i = Math.max(0, count - 50); i < count; i++) {
    if (keyed) admit.release(heldIp[i % 50]);
    else held[i % 50]();
  }
  if (admit.networks.networks !== 0) throw new Error(`${admit.networks.networks} networks still held`);
  process.stdout.write(JSON.stringify({ us: (t.user + t.system) / k, keyed }) + '\n');
} else {
  const roots = (opt.cli.length ? opt.cli : ['.']).map((r) => resolve(r));
  const counts = opt.probes.split(',').map(Number);
  const results = new Map();
  for (let round = 0; round < Number(opt.rounds); round++) {
    for (const count of counts) {
      for (const root of round % 2 ? [...roots].reverse() : roots) {
        const r = spawnSync(process.execPath, [process.argv[1], '--child', root, '--count', String(count)], { encoding: 'utf8', timeout: 120_000 });
        if (r.status !== 0) throw new Error(`${root}: ${r.stderr}`);
        const { us, keyed } = JSON.parse(r.stdout);
        const key = `${root}|${count}`;
        if (!results.has(key)) results.set(key, { root, count, keyed, us: [] });
        results.get(key).us.push(us);
      }
    }
  }
  const median = (a) => [...a].sort((x, y) => x - y)[Math.floor((a.length - 1) / 2)];
  console.log(`| checkout | driven as | probes | us/probe (median of ${opt.rounds}) | each round |`);
  console.log('|---|---|---:|---:|---|');
  for (const r of results.values()) {
    console.log(`| ${r.root} | ${r.keyed ? 'tryAdmit/release(ip)' : 'await admit(ip), release()'} | ${r.count.toLocaleString('en')} | ${median(r.us).toFixed(3)} | ${r.us.map((u) => u.toFixed(2)).join(' ')} |`);
  }
}
