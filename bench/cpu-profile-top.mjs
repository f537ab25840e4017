/**
 * The top self-time entries of V8 CPU profiles (`node --cpu-prof`), with the
 * time spent inside the TLS handshake set apart: a sample counts as inside
 * when its frame or any caller is in the engine (a path matching --inside,
 * default the core's tls/ folder), so crypto natives called by the engine
 * count as handshake. Samples before the first one under the engine's
 * `handshake` (TlsEngine.handshake) are start-up (module loading, config,
 * plugins) and are counted apart, unless --with-startup (the main thread of a
 * scan with --workers runs no handshake: give it --with-startup, or all of it
 * is start-up). Self time comes from the samples' time deltas, which are wall
 * clock: a thread the kernel preempts inside a call is charged for the time it
 * waited (on a loaded machine, a worker's postMessage, which wakes the main
 * thread, showed as 9% of the worker's time; bench/thread-cpu.mjs gives each
 * thread's real CPU). Entries are
 * grouped by function, file and line over every profile given; a native
 * entry (no file) names its caller.
 *
 *   node bench/cpu-profile-top.mjs [--top 15] [--inside REGEX] [--with-startup] PROFILE.cpuprofile...
 *
 * Frames in an esbuild bundle (a package's bundle/, what the CLI loads) are
 * named by the module the bundle inlined there: esbuild writes a `// path`
 * comment before each module's code, so a bundle line maps to
 * `packages/core/dist/tls/engine.js:+N` (N lines into that module's part).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i < 0 ? dflt : args.splice(i, 2)[1];
};
const top = Number(opt('--top', 15));
const inside = new RegExp(opt('--inside', '/core/(dist|src)/tls/'));
const withStartup = args.includes('--with-startup') && args.splice(args.indexOf('--with-startup'), 1);
if (args.length === 0) {
  console.error('usage: node bench/cpu-profile-top.mjs [--top N] [--inside REGEX] PROFILE.cpuprofile...');
  process.exit(2);
}

const outside = new Map();
let total = 0;
let handshake = 0;
let idle = 0;
let startup = 0;
const short = (url) => url.replace(/^file:\/\/.*?\/(packages|plugins|node_modules)\//, '$1/');
/** For a bundle file: the `// module` comment lines (0-based line, module path relative to the repository). */
const markers = new Map();
function bundleMarkers(url) {
  if (markers.has(url)) return markers.get(url);
  let found = null;
  if (/\/bundle\/[^/]+\.js$/.test(url)) {
    try {
      const file = fileURLToPath(url);
      const pkg = dirname(dirname(file));
      const root = join(pkg, '..', '..');
      found = [];
      readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
        const m = /^\/\/ (\S+\.(?:m?js|cjs))$/.exec(line);
        if (m) found.push([i, relative(root, join(pkg, m[1]))]);
      });
    } catch {
      found = null;
    }
  }
  markers.set(url, found);
  return found;
}
/** Where a frame is: file:line, or for a bundle the inlined module and the line within its part. */
function source(f) {
  const m = f.url ? bundleMarkers(f.url) : null;
  if (!m || m.length === 0 || f.lineNumber < m[0][0]) return f.url ? `${short(f.url)}:${f.lineNumber + 1}` : '';
  let lo = 0;
  let hi = m.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (m[mid][0] <= f.lineNumber) lo = mid;
    else hi = mid - 1;
  }
  return `${m[lo][1]}:+${f.lineNumber - m[lo][0]}`;
}
const place = (f) => source(f);
for (const file of args) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Memoized walks up the callers: is a frame matching `test` on the node's stack?
  const onStack = (test) => {
    const memo = new Map();
    const walk = (id) => {
      if (memo.has(id)) return memo.get(id);
      const v = test(byId.get(id).callFrame) || (parent.has(id) && walk(parent.get(id)));
      memo.set(id, v);
      return v;
    };
    return walk;
  };
  const isUnder = onStack((f) => inside.test(source(f)));
  const inHandshake = onStack((f) => f.functionName === 'handshake' && inside.test(source(f)));
  let started = withStartup;
  p.samples.forEach((id, i) => {
    const us = p.timeDeltas[i] ?? 0;
    const f = byId.get(id).callFrame;
    if (f.functionName === '(idle)') return void (idle += us);
    started ||= inHandshake(id);
    if (!started) return void (startup += us);
    total += us;
    if (isUnder(id)) return void (handshake += us);
    let where = place(f);
    if (!where && parent.has(id)) {
      const c = byId.get(parent.get(id)).callFrame;
      if (c.url) where = `from ${c.functionName || '(anonymous)'} ${place(c)}`;
    }
    const key = `${f.functionName || '(anonymous)'}\t${where}`;
    outside.set(key, (outside.get(key) ?? 0) + us);
  });
}

const ms = (us) => (us / 1000).toFixed(0);
const pct = (us) => ((100 * us) / total).toFixed(1);
if (!withStartup) console.log(`start-up (before the first sample under the engine's handshake, left out below): ${ms(startup)} ms`);
console.log(`busy (not idle) ${ms(total)} ms; inside the TLS engine ${ms(handshake)} ms (${pct(handshake)}%); outside ${ms(total - handshake)} ms (${pct(total - handshake)}%)\n`);
console.log(`| # | self ms | % of busy | function | where |\n| ---: | ---: | ---: | --- | --- |`);
[...outside.entries()]
  .sort((a, b) => b[1] - a[1])
  .slice(0, top)
  .forEach(([key, us], i) => {
    const [fn, where] = key.split('\t');
    console.log(`| ${i + 1} | ${ms(us)} | ${pct(us)} | \`${fn}\` | ${where ? `\`${where}\`` : ''} |`);
  });
