/**
 * `scan.workers` unset (workers added while the probing threads are saturated, s36) against
 * `--workers 1` and `--workers 2`, the real CLI with a JSONL file, alternating, in two scans:
 *
 * - scanner-bound: every probe costs the scanner BUSY_MS of CPU more (the busy test plugin,
 *   test/fixtures/workers/busy-plugin.mjs: it reads the greeting, then runs for that long), and the
 *   server next to nothing (the Go SMTP server's greeting): the scan an Internet-wide run at high
 *   concurrency is, where the remote servers cost the scanner's machine nothing. On this loopback
 *   farm the servers of a real TLS scan share the scanner's two cores, so no real protocol shows
 *   what a second core gives the scanner (bench/scan-vs-go.mjs measures those).
 * - network-bound: the smtp plugin (STARTTLS, TLS 1.3) at `--rate RATE`: the threads mostly wait.
 *
 * Each over 254 addresses x 48 ports (12,192 probes) of 127.0.113.0/24, concurrency 50, the product's
 * default `scan.workerMinProbes` (8,192). Loopback only; every run bounded (5 min, runners.mjs).
 *
 *   npx tsc -b && node bench/auto-workers.mjs [--cli DIR] [--passes 3] [--busy-ms 1] [--rate 1500]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addresses, buildGo, range, startSmtp, writeChain } from './scan-vs-go/farm.mjs';
import { fixed, median } from './scan-vs-go/report.mjs';
import { checkTime, cliAt, runCli } from './scan-vs-go/runners.mjs';

const argv = process.argv.slice(2);
const one = (name, dflt) => {
  const i = argv.lastIndexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const CLI = cliAt(one('--cli', fileURLToPath(new URL('..', import.meta.url))));
const PASSES = Number(one('--passes', 3));
const BUSY_MS = Number(one('--busy-ms', 1));
const RATE = Number(one('--rate', 1500));
const BUSY_PLUGIN = fileURLToPath(new URL('../test/fixtures/workers/busy-plugin.mjs', import.meta.url));
const FARM = { hosts: addresses('127.0.113'), ports: range(10025, 48) };
const VARIANTS = [
  { name: 'default (no --workers)', args: [] },
  { name: '--workers 1', args: ['--workers', '1'] },
  { name: '--workers 2', args: ['--workers', '2'] },
];
const SCANS = [
  { name: `scanner-bound: busy plugin, ${BUSY_MS} ms of CPU per probe, rate unlimited`, proto: 'busy', args: ['--log-format', 'json'], env: { WILDTLS_BUSY_MS: String(BUSY_MS) } },
  { name: `network-bound: smtp (STARTTLS, TLS 1.3) at --rate ${RATE}`, proto: 'smtp', args: ['--log-format', 'json'], env: {}, rate: RATE },
];
const log = (s) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${s}`);

/** The summary's workersAdded (the scan's JSON summary line; 0 when absent). */
function workersAdded(output) {
  const m = /"workersAdded":(\d+)/.exec(output);
  return m ? Number(m[1]) : 0;
}

async function main() {
  checkTime();
  const work = mkdtempSync(join(tmpdir(), 'wildtls-auto-workers-'));
  const loadStart = loadavg();
  let server;
  try {
    const { chain, key } = await writeChain(work);
    const config = join(work, 'wildtls.config.yaml');
    // The farm's addresses share one /24: no per-network cap (as scan-vs-go.mjs).
    writeFileSync(config, `plugins: ['@wildtls/protocol-smtp', '${BUSY_PLUGIN}']\nscan:\n  perNetworkConcurrency: 100000\nlog:\n  level: info\n`);
    const targetsFile = join(work, 'hosts.txt');
    writeFileSync(targetsFile, FARM.hosts.join('\n') + '\n');
    log('building and starting the Go SMTP server');
    server = await startSmtp(buildGo('go-smtp-server', work), { ...FARM, chain, key });
    const results = {};
    for (let pass = 0; pass < PASSES; pass++) {
      for (const scan of SCANS) {
        for (const v of pass % 2 ? [...VARIANTS].reverse() : VARIANTS) {
          const r = await runCli(CLI, { work, config, targetsFile, proto: scan.proto, ports: FARM.ports, concurrency: 50, rate: scan.rate ?? 0, args: [...v.args, ...scan.args], env: scan.env });
          const added = workersAdded(r.output);
          log(`pass ${pass + 1} ${scan.proto} ${v.name}: ${r.wallS} s wall, ${r.cpuS.toFixed(2)} s CPU, ${r.n} records (${r.ok} success), workers added ${added}, exit ${r.code}`);
          ((results[scan.name] ??= {})[v.name] ??= []).push({ ...r, added, output: undefined });
        }
      }
    }
    const out = [
      `Machine: ${cpus().length} x ${cpus()[0]?.model.trim()}, Node ${process.version}; load average at the start ${loadStart.map((x) => x.toFixed(1)).join(' ')}, at the end ${loadavg().map((x) => x.toFixed(1)).join(' ')}.`,
      `CLI: ${CLI.label}. Passes: ${PASSES}. 12,192 probes each, concurrency 50.`,
      '',
      '| scan | threads | wall s (median, range) | CPU s (median, range) | workers added (per pass) | records |',
      '| --- | --- | --- | --- | --- | --- |',
    ];
    for (const [scan, byVariant] of Object.entries(results)) {
      for (const [v, rs] of Object.entries(byVariant)) {
        const span = (xs) => `${fixed(median(xs), 2)} (${fixed(Math.min(...xs), 2)}-${fixed(Math.max(...xs), 2)})`;
        out.push(`| ${scan} | ${v} | ${span(rs.map((r) => r.wallS))} | ${span(rs.map((r) => r.cpuS))} | ${rs.map((r) => r.added).join(', ')} | ${rs.map((r) => r.n).join(', ')} |`);
      }
    }
    console.log(out.join('\n'));
  } finally {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
