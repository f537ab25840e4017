/**
 * CPU each server-text parser spends per MiB of pathological input, at 1 MiB
 * and 4 MiB (linear parsers cost the same per MiB at both), for the code in
 * this checkout and, with --before, for another built checkout in the same run.
 * No network: the inputs are built in memory (bench/parser-cpu-cases.mjs).
 *
 *   npx tsc -b && node bench/parser-cpu.mjs [--before DIR] [--root DIR] [--budget-s 10] [--rounds 3] [--only imap,xmpp]
 *
 * DIR is a built checkout (e.g. `git worktree add /tmp/before main && cd /tmp/before && npm ci && npx tsc -b`).
 * --root measures that checkout alone with this checkout's cases: old and new in
 * two processes, for parsers whose figures the other's run in the same process
 * disturbs (the XMPP rows come out two to three times higher after --before's old run).
 * A run stops once it has used --budget-s seconds of CPU on one (case, size); its
 * figure is then a lower bound (">"), from the share of the input it got through.
 * A unit is checked against the budget only when it ends: one reply of the old
 * code can take over a minute, so a full --before run takes about half an hour.
 */
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CASES, load } from './parser-cpu-cases.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const here = resolve(opt('root') ?? resolve(dirname(fileURLToPath(import.meta.url)), '..'));
const before = opt('before');
const budgetUs = Number(opt('budget-s', '10')) * 1e6;
const rounds = Number(opt('rounds', '3'));
const only = opt('only')?.split(',');
const MiB = 1 << 20;

const cpu = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};

/** ms of CPU per MiB for one pass over the units (bounded by the budget), and whether it finished. */
function pass(mods, c, units, bytes) {
  const t0 = cpu();
  let done = 0;
  for (const u of units) {
    c.run(mods, u);
    done++;
    if (cpu() - t0 > budgetUs) break;
  }
  const us = cpu() - t0;
  const share = done / units.length;
  return { msPerMiB: us / 1000 / ((bytes / MiB) * share), complete: done === units.length };
}

function measure(mods, c, size, passes) {
  const units = c.units(size * MiB);
  const bytes = units.reduce((n, u) => n + (Buffer.isBuffer(u) ? u.length : u.reduce((k, l) => k + l.length + 2, 0)), 0);
  let best;
  for (let r = 0; r < passes; r++) {
    const p = pass(mods, c, units, bytes);
    if (!best || p.msPerMiB < best.msPerMiB) best = p;
    if (!p.complete) break;
  }
  return `${best.complete ? '' : '> '}${best.msPerMiB < 10 ? best.msPerMiB.toFixed(1) : Math.round(best.msPerMiB)}`;
}

const after = await load(here);
const old = before ? await load(resolve(before)) : undefined;
// Warm the JIT on a small input first, so the first case is not charged for it.
for (const c of CASES) c.run(after, c.units(64 * 1024)[0]);

console.log(`machine: ${cpus().length} x ${cpus()[0]?.model}, node ${process.version}; budget ${budgetUs / 1e6} s CPU per run, best of ${rounds} rounds${old ? ' (one for the old code)' : ''}`);
console.log(`ms of CPU per MiB of ${here}${old ? `; before = ${before}` : ''}\n`);
const cols = old ? ['before 1 MiB', 'before 4 MiB', 'after 1 MiB', 'after 4 MiB'] : ['1 MiB', '4 MiB'];
console.log(`| parser | pattern | ${cols.join(' | ')} |`);
console.log(`| --- | --- | ${cols.map(() => '---:').join(' | ')} |`);
for (const c of CASES) {
  if (only && !only.includes(c.parser)) continue;
  const row = [];
  // One pass for the old code: a unit (one reply) can take it tens of seconds, and cannot be cut short.
  if (old) for (const s of [1, 4]) row.push(measure(old, c, s, 1));
  for (const s of [1, 4]) row.push(measure(after, c, s, rounds));
  console.log(`| ${c.parser} | ${c.pattern} | ${row.join(' | ')} |`);
}
