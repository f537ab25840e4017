/**
 * Memory per in-flight probe through the product path: the CLI scans the hold
 * server (every connection held open and silent) at a high and a low
 * concurrency; once the server holds the probes, RSS of the CLI's whole
 * process tree (after a full GC in the main thread, see mem-report.mjs) is
 * sampled three times. Per probe = (RSS high - RSS low) / (held high - held
 * low): start-up and the idle process cancel out.
 */
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './runners.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

function children(pid) {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((t) => readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
  } catch {
    return [];
  }
}

function rssKiB(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** RSS of every descendant of `root` (GNU time's child and whatever it started). */
function treeRssKiB(root) {
  let sum = 0;
  const todo = children(root);
  while (todo.length) {
    const pid = todo.pop();
    sum += rssKiB(pid);
    todo.push(...children(pid));
  }
  return sum;
}

/** The CLI's last memory report (mem-report.mjs renames it into place whole), or undefined. */
function readReport(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

async function waitFor(test, timeoutMs, stepMs = 250) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await test()) return true;
    await sleep(stepMs);
  }
  return false;
}

/** One scan of the hold server at `concurrency`, sampled once the server holds `expect` connections. */
export async function heldScan(cli, hold, o) {
  const memFile = join(o.work, 'mem.json');
  rmSync(memFile, { force: true });
  let timePid;
  const run = runCli(cli, {
    ...o,
    args: [...(o.args ?? []), '--read-timeout', '60000', '--timeout', '90000'],
    nodeArgs: ['--expose-gc', '--import', fileURLToPath(new URL('./mem-report.mjs', import.meta.url))],
    env: { WILDTLS_BENCH_MEM: memFile },
    onSpawn: (c) => (timePid = c.pid),
  });
  const sample = { concurrency: o.concurrency, held: 0, rssKiB: 0, heapKiB: 0, reached: false };
  try {
    sample.reached = await waitFor(async () => (await hold.open()) >= o.expect, 60_000);
    await sleep(2000); // let every held probe send what it sends and settle
    const rss = [];
    const heap = [];
    const held = [];
    for (let i = 0; i < 3; i++) {
      const cliPid = children(timePid)[0];
      const asked = Date.now();
      process.kill(cliPid, 'SIGUSR2');
      let m;
      await waitFor(() => (m = readReport(memFile))?.at >= asked, 10_000, 50);
      if (!(m?.at >= asked)) throw new Error(`the CLI (pid ${cliPid}) wrote no memory report within 10 s of SIGUSR2`);
      heap.push((m.heapUsed + m.external) / 1024);
      rss.push(treeRssKiB(timePid));
      held.push(await hold.open());
      await sleep(1000);
    }
    Object.assign(sample, { held: median(held), rssKiB: median(rss), heapKiB: median(heap) });
  } finally {
    const cliPid = timePid && children(timePid)[0];
    if (cliPid) process.kill(cliPid, 'SIGKILL');
    await run;
    await waitFor(async () => (await hold.open()) === 0, 30_000);
  }
  return sample;
}

/** Per in-flight probe, KiB: the high and the low run's difference over the held connections' difference. */
export function perProbe(high, low) {
  const d = high.held - low.held;
  return { rssKiB: (high.rssKiB - low.rssKiB) / d, heapKiB: (high.heapKiB - low.heapKiB) / d };
}
