/**
 * One timed run of the wildtls CLI or of the Go reference client, each under
 * GNU time (`/usr/bin/time`, Debian package `time`): the kernel's rusage of
 * the waited-for child, so user+sys covers every thread of the process and
 * every child it waited for (worker threads or worker processes alike), from
 * exec to exit, start-up included. 10 ms resolution, which is why the
 * per-probe figures are marginal over thousands of probes.
 */
import { spawn, execFileSync } from 'node:child_process';
import { createReadStream, existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const TIME = '/usr/bin/time';
/** Every run is bounded: killed (and reported as failed) after this long. */
const RUN_LIMIT_MS = 300_000;

export function checkTime() {
  if (!existsSync(TIME)) throw new Error(`${TIME} is missing: apt-get install time`);
}

/** A CLI to measure: a checkout's root (its packages/cli/bin/run.js), labelled by its commit. */
export function cliAt(root) {
  const dir = resolve(root);
  const bin = join(dir, 'packages/cli/bin/run.js');
  if (!existsSync(bin)) throw new Error(`no CLI at ${bin} (give a checkout's root, built with npx tsc -b)`);
  let label = dir;
  try {
    const rev = execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['-C', dir, 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
    label = `${rev}${dirty ? '+dirty' : ''}`;
  } catch {
    /* not a git checkout: the path is the label */
  }
  const help = execFileSync(process.execPath, [bin, 'scan', '--help'], { encoding: 'utf8', cwd: dir });
  return { root: dir, bin, label, hasWorkers: /--workers\b/.test(help) };
}

/** Run argv under GNU time; resolves with its CPU, wall and peak RSS, and the child's output. */
export function timed(argv, { cwd, env, timeFile, onSpawn } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(TIME, ['-o', timeFile, '-f', '%U %S %e %M', ...argv], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const keep = (d) => (out = (out + d).slice(-20000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const limit = setTimeout(() => child.kill('SIGKILL'), RUN_LIMIT_MS);
    onSpawn?.(child);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(limit);
      const t = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
      rmSync(timeFile, { force: true });
      resolvePromise({ code, signal, output: out, userS: t[0], sysS: t[1], cpuS: t[0] + t[1], wallS: t[2], maxRssKiB: t[3] });
    });
  });
}

/**
 * `wildtls scan` as a user runs it: the config file, targets from a file,
 * the services' ports, a JSONL output file, no progress display; rate
 * unlimited unless `rate` says otherwise.
 */
export async function runCli(cli, { work, config, targetsFile, proto, ports, concurrency, rate = 0, args = [], nodeArgs = [], env, onSpawn }) {
  const output = join(work, 'out.jsonl');
  rmSync(output, { force: true });
  const argv = [process.execPath, ...nodeArgs, cli.bin, 'scan', '--config', config, '--input', targetsFile, '--protocol', proto, ...ports.flatMap((p) => ['--port', String(p)]), '--output', output, '--progress', 'off', '--rate', String(rate), '--concurrency', String(concurrency), '--allow', '127.0.0.0/8', ...args];
  const r = await timed(argv, { cwd: work, env, timeFile: join(work, 'time.txt'), onSpawn });
  const counts = existsSync(output) ? await countRecords(output) : { n: 0, ok: 0, versions: {}, statuses: {} };
  rmSync(output, { force: true });
  return { ...r, ...counts };
}

/** Records in a JSONL file: how many, how many succeeded, which TLS versions and statuses. */
async function countRecords(file) {
  const c = { n: 0, ok: 0, versions: {}, statuses: {}, observed: 0 };
  for await (const line of createInterface({ input: createReadStream(file) })) {
    if (!line) continue;
    const r = JSON.parse(line);
    c.n++;
    if (r.status === 'success') c.ok++;
    c.statuses[r.status] = (c.statuses[r.status] ?? 0) + 1;
    const v = r.tls?.version ?? 'none';
    c.versions[v] = (c.versions[v] ?? 0) + 1;
    if (r.tls?.notCompletedReason === 'observe-only') c.observed++;
  }
  return c;
}

/** The Go reference client's scan mode (bench/go-tls-client/scan.go). */
export async function runGo(bin, { work, targetsFile, mode, concurrency, hello }) {
  const output = join(work, 'go-out.jsonl');
  const argv = [bin, '-scan', mode, '-targets', targetsFile, '-conc', String(concurrency), '-out', output, ...(hello ? ['-hello', hello] : [])];
  const r = await timed(argv, { cwd: work, timeFile: join(work, 'time.txt') });
  rmSync(output, { force: true });
  let summary = {};
  try {
    summary = JSON.parse(r.output.trim().split('\n').at(-1));
  } catch {
    /* a failed run: reported through code and output */
  }
  return { ...r, n: summary.n ?? 0, ok: summary.ok ?? 0, versions: summary.version ? { [summary.version]: summary.ok } : {}, firstError: summary.firstError };
}
