/**
 * The whole scan path against a Go crypto/tls scanner (issue 15): the real
 * `wildtls scan` command (config file, plugins, JSONL sink, progress off) and
 * the Go reference client (bench/go-tls-client -scan, the zgrab2 class) over
 * the same loopback endpoints in one run, alternating, pass after pass.
 * Loopback only (127.0.50.0/24 - 127.0.52.0/24, or the three /24s of --nets); every run bounded in count
 * (the target lists) and time (5 min per run, the probes' own deadlines).
 *
 *   npx tsc -b && node bench/scan-vs-go.mjs [--cli CHECKOUT]... [--passes 3]
 *     [--modes tls-modern,tls-study,smtp,census-study,census-compat]
 *     [--skip cpu,startup,throughput,memory,cpu-workers] [--cpu-prof DIR [--cpu-prof-modes tls-modern,smtp]]
 *     [--steady] [--json FILE] [--nets 127.0.50,127.0.51,127.0.52] [--no-go] [--per-network N[/PREFIX]]
 *
 * Endpoints, started here and stopped by pid: nginx (2 workers) on
 * 127.0.50.1-254 x 16 ports (TLS 1.2 and 1.3, leaf + intermediate + root,
 * ECDSA P-256), the Go SMTP server (bench/go-smtp-server) with the same chain
 * on 127.0.51.1-254 x 16 ports, and for the memory figure a hold server on
 * 127.0.52.1-254 x 20 ports. Go (Debian's golang-go) builds the reference
 * client and the SMTP server; without `go` the Go and SMTP rows are left out,
 * and the script says so.
 *
 * Figures, each over the same targets for every client:
 * 1. CPU per probe: user+sys of the whole process (GNU time: every thread
 *    and waited-for child) at 254 targets (254 addresses x 1 port) and at
 *    4,064 (x 16 ports), concurrency 50, rate unlimited; marginal CPU per
 *    probe = (CPU(4064) - CPU(254)) / 3810, so start-up is excluded; the
 *    ratio to the Go peer is taken per pass, median reported. Within a pass
 *    each mode runs its clients back to back (reversed on odd passes).
 *    With --steady, a third size per mode: 12,192 targets (x 48 ports),
 *    and the marginal between 4,064 and 12,192 beside the issue's one: the
 *    per-probe cost once the JIT has warmed up (between 254 and 4,064 each
 *    isolate still compiles its hot code, and the default's workers start).
 *    A CLI with --workers also runs with `--workers 1` and `--workers 2`
 *    at every size. Its default (no --workers) probes in the main thread and
 *    adds a worker only while its threads are saturated and 8,192 probes
 *    remain per worker (a scan of 12,192 on this farm has fewer left by the
 *    time it could: it stays in one thread); a CLI before s36 ran 12,192 in
 *    two workers from the start, so its default's steady-state marginal
 *    carries the workers' start-up and JIT warm-up.
 * 2. Start-up: CPU of a one-target scan, median of 7.
 * 3. Throughput at concurrency 500 (`--profile modern`): targets/s over the
 *    whole command's wall time at 4,064 targets (and with --steady at
 *    12,192, with its CPU), and marginal between 254 and 4,064; `--workers 1`
 *    and `--workers 2` when the CLI has the flag.
 * 4. Memory per in-flight probe at 5,000 concurrent (memory.mjs).
 * --cpu-prof DIR: one more 4,064-target scan under `node --cpu-prof` per mode
 * of --cpu-prof-modes (default tls-modern: TLS 1.3), profiles in DIR/<mode>/,
 * the top self-time entries outside the handshake (bench/cpu-profile-top.mjs).
 * --cli DIR (repeatable): measure that checkout's CLI (built), alternating
 * with the others in every pass; default: this checkout. With two or more,
 * the report adds an A/B table: each CLI's marginal against the first's, per
 * pass and of the medians, and in how many passes it was the cheaper.
 * --no-go: leave the Go client's runs out (an A/B of CLIs alone, quicker; Go
 * still builds the SMTP farm's server).
 * --per-network N[/PREFIX]: the CLIs' per-network cap (`scan.perNetworkConcurrency`
 * N per IPv4 /PREFIX, default prefix the product's 24). Default: off, i.e. a cap
 * of 100000 that the scan never asks about (the farm's addresses share one /24,
 * whose default cap of 16 would hold every scan at 16): the figures of every
 * session so far. `--per-network 16/32` runs the product's default admission
 * path as an Internet-wide scan meets it: asked for every probe, almost never
 * binding (16 ports per address, 50 in flight over 254 addresses, permuted).
 * The cap holds for every section's CLI runs (at concurrency 500 and 5,000
 * it binds: add --skip throughput,memory for the issue's figure alone).
 *
 * The A/B of two builds by the issue's marginal, as the sessions run it:
 *   node bench/scan-vs-go.mjs --cli OLD --cli NEW --passes 7 --no-go \
 *     --modes tls-modern,tls-study,smtp --skip startup,throughput,memory,cpu-workers
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RawTlsEngine, resolveProfile } from '@wildtls/core';
import { addresses, buildGo, range, startHold, startNginx, startSmtp, writeChain } from './scan-vs-go/farm.mjs';
import { heldScan, perProbe } from './scan-vs-go/memory.mjs';
import { abTable, cpuTable, fixed, marginalMs, marginalRate, median, okText } from './scan-vs-go/report.mjs';
import { checkTime, cliAt, runCli, runGo, timed } from './scan-vs-go/runners.mjs';

const argv = process.argv.slice(2);
const many = (name) => argv.flatMap((a, i) => (argv[i - 1] === name ? [a] : []));
const one = (name, dflt) => many(name).at(-1) ?? dflt;
const PASSES = Number(one('--passes', 3));
const SKIP = new Set(one('--skip', '').split(',').filter(Boolean));
const here = fileURLToPath(new URL('..', import.meta.url));
const CLIS = (many('--cli').length ? many('--cli') : [here]).map(cliAt);
// The same commit twice (a checkout against itself) still needs two labels.
CLIS.forEach((c, i) => CLIS.slice(0, i).some((o) => o.label === c.label) && (c.label += `#${i + 1}`));

// --steady: 48 ports per address (12,192 targets) for the steady-state marginal; otherwise 16.
const STEADY = argv.includes('--steady');
// --nets: the three loopback /24s of the nginx, SMTP and hold farms (to run beside another farm on the defaults).
const NETS = one('--nets', '127.0.50,127.0.51,127.0.52').split(',');
if (NETS.length !== 3 || !NETS.every((n) => /^127\.\d{1,3}\.\d{1,3}$/.test(n) && n.split('.').every((x) => Number(x) <= 255))) {
  fail(`--nets wants three loopback /24 prefixes such as 127.0.50,127.0.51,127.0.52 (got ${NETS.join(',')})`);
}
const NGINX = { hosts: addresses(NETS[0]), ports: range(10443, STEADY ? 48 : 16) };
const SMTP = { hosts: addresses(NETS[1]), ports: range(10025, STEADY ? 48 : 16) };
const HOLD = { hosts: addresses(NETS[2]), bannerPorts: range(11000, 20), silentPorts: range(11100, 20) };
const CONC = 50;
// --no-go: an A/B of the CLIs alone.
const NO_GO = argv.includes('--no-go');
// --per-network N[/PREFIX]: the per-network cap the CLIs run with (default: off, 100000 in one /24).
const PER_NETWORK = one('--per-network');
const CAP = /^(\d+)(?:\/(\d+))?$/.exec(PER_NETWORK ?? '100000');
if (!CAP || Number(CAP[1]) < 1 || (CAP[2] !== undefined && Number(CAP[2]) > 32)) fail(`--per-network wants N or N/PREFIX, such as 16 or 16/32 (got ${PER_NETWORK})`);

/** Each mode: the CLI's protocol and flags, its farm, and the Go modes it is compared with. */
const ALL_MODES = {
  'tls-modern': { label: 'implicit TLS 1.3, `-p tls --profile modern`', proto: 'tls', farm: NGINX, args: ['--profile', 'modern'], go: ['tls13'] },
  'tls-study': { label: 'implicit TLS, `-p tls`, default profile (study)', proto: 'tls', farm: NGINX, args: [], go: ['tls13'] },
  smtp: { label: 'SMTP STARTTLS, `-p smtp`, default profile (study)', proto: 'smtp', farm: SMTP, args: [], go: ['smtp', 'smtp-full'] },
  'census-study': { label: 'observe-only census, `-p tls --observe-only` (study: TLS 1.3 here)', proto: 'tls', farm: NGINX, args: ['--observe-only'], go: ['tls13'] },
  'census-compat': { label: 'observe-only census, `-p tls --observe-only --profile compat --fallback none` (TLS 1.2)', proto: 'tls', farm: NGINX, args: ['--observe-only', '--profile', 'compat', '--fallback', 'none'], go: ['tls13', 'observe12'] },
};
const MODES = Object.fromEntries(one('--modes', Object.keys(ALL_MODES).join(',')).split(',').map((m) => [m, ALL_MODES[m] ?? fail(`unknown mode ${m}`)]));

function fail(msg) {
  console.error(msg);
  process.exit(2);
}

/** The raw engine's `compat` ClientHello record, hex, for Go's observe-only census (written synchronously by the engine). */
function compatHello() {
  let hello;
  const fake = { write: (b) => ((hello ??= Buffer.from(b)), true), on: () => fake, off: () => fake, once: () => fake, resume: () => fake, pause: () => fake, destroy: () => fake, destroyed: false };
  new RawTlsEngine().handshake(fake, { profile: resolveProfile('compat', {}), observeOnly: true, readTimeoutMs: 1, maxBytes: 1 }).catch(() => {});
  return hello?.toString('hex');
}

const log = (s) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${s}`);

async function main() {
  checkTime();
  const work = mkdtempSync(join(tmpdir(), 'wildtls-scan-vs-go-'));
  const stops = [];
  const raw = { loadStart: loadavg(), started: new Date().toISOString(), clis: CLIS.map(({ label, root, hasWorkers }) => ({ label, root, hasWorkers })), cpu: {}, startup: {}, throughput: {}, memory: {} };
  const notes = [];
  try {
    const { chain, key } = await writeChain(work);
    // The farm's addresses share one /24, whose default cap (16 in flight) would hold every scan at 16:
    // off by default (100000); --per-network sets a cap (and its IPv4 prefix) that is asked about for every probe.
    const config = join(work, 'wildtls.config.yaml');
    const prefix = CAP[2] === undefined ? '' : `  networkPrefix:\n    v4: ${Number(CAP[2])}\n`;
    writeFileSync(config, `scan:\n  perNetworkConcurrency: ${Number(CAP[1])}\n${prefix}  order: permuted\nlog:\n  level: info\n`);
    raw.perNetwork = PER_NETWORK ?? 'off (100000)';
    if (PER_NETWORK) notes.push(`Per-network cap: ${CAP[1]} per IPv4 /${CAP[2] ?? 24} (--per-network ${PER_NETWORK}), not the farm's default 100000.`);
    const lists = writeLists(work);
    let goClient;
    let goServer;
    try {
      goClient = buildGo('go-tls-client', work);
      goServer = buildGo('go-smtp-server', work);
    } catch (e) {
      notes.push(`No Go (${String(e.message).split('\n')[0]}): the Go rows and the SMTP rows (its server is Go) are left out. apt-get install golang-go`);
    }
    log('starting nginx and the SMTP server');
    stops.push(await startNginx(work, { ...NGINX, chain, key, workers: 2 }));
    if (goServer) stops.push(await startSmtp(goServer, { ...SMTP, chain, key }));
    const hello = compatHello();
    for (const c of CLIS) if (!c.hasWorkers && !SKIP.has('throughput')) notes.push(`SKIPPED: the throughput rows \`--workers 1\` and \`--workers 2\` of CLI ${c.label}: its \`scan --help\` has no --workers flag (only its default row runs).`);
    notes.forEach((n) => log(n));

    if (!SKIP.has('cpu')) await cpuPasses(work, config, lists, goClient, hello, raw);
    // A later section that fails is reported, and the figures already measured are still printed.
    const section = async (name, run) => {
      try {
        await run();
      } catch (e) {
        notes.push(`FAILED: the ${name} section: ${e.stack ?? e}`);
        log(notes.at(-1));
      }
    };
    if (!SKIP.has('startup')) await section('start-up', () => startup(work, config, goClient, raw));
    if (!SKIP.has('throughput')) await section('throughput', () => throughput(work, config, lists, goClient, raw));
    if (!SKIP.has('memory')) {
      await section('memory', async () => {
        const hold = await startHold(HOLD);
        stops.push(hold);
        await memory(work, config, hold, raw);
      });
    }
    if (one('--cpu-prof')) await section('CPU profile', () => profile(work, config, lists, one('--cpu-prof'), Boolean(goServer), raw));
    printReport(raw, notes);
    if (one('--json')) writeFileSync(one('--json'), JSON.stringify(raw, null, 1));
  } finally {
    for (const s of stops.reverse()) await s.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** Target files: addresses for the CLI (ports come as --port), host:port lines for Go. */
function writeLists(work) {
  const file = (name, lines) => {
    const p = join(work, name);
    writeFileSync(p, lines.join('\n') + '\n');
    return p;
  };
  const go = (farm, nPorts) => farm.ports.slice(0, nPorts).flatMap((p) => farm.hosts.map((h) => `${h}:${p}`));
  return {
    nginxHosts: file('nginx-hosts.txt', NGINX.hosts),
    smtpHosts: file('smtp-hosts.txt', SMTP.hosts),
    holdHosts: file('hold-hosts.txt', HOLD.hosts),
    go: {
      nginx: { small: file('go-nginx-254.txt', go(NGINX, 1)), big: file('go-nginx-4064.txt', go(NGINX, 16)), ...(STEADY ? { steady: file('go-nginx-12192.txt', go(NGINX, 48)) } : {}) },
      smtp: { small: file('go-smtp-254.txt', go(SMTP, 1)), big: file('go-smtp-4064.txt', go(SMTP, 16)), ...(STEADY ? { steady: file('go-smtp-12192.txt', go(SMTP, 48)) } : {}) },
    },
  };
}

const SIZES = { small: 1, big: 16, steady: 48 }; // ports per address: 254, 4,064 and (--steady) 12,192 targets
const CPU_SIZES = STEADY ? ['small', 'big', 'steady'] : ['small', 'big'];

function cliRun(cli, work, config, lists, mode, size, concurrency, extra = []) {
  const targetsFile = mode.farm === NGINX ? lists.nginxHosts : lists.smtpHosts;
  return runCli(cli, { work, config, targetsFile, proto: mode.proto, ports: mode.farm.ports.slice(0, SIZES[size]), concurrency, args: [...mode.args, ...extra] });
}

function goRun(bin, work, lists, mode, g, size, concurrency, hello) {
  const targetsFile = lists.go[mode.farm === NGINX ? 'nginx' : 'smtp'][size];
  return runGo(bin, { work, targetsFile, mode: g, concurrency, hello: g === 'observe12' ? hello : undefined });
}

const expected = (size) => 254 * SIZES[size];

/**
 * A CLI's rows in the CPU table: its default (one thread at 254 targets, a
 * worker per core at 4,064, so the marginal also carries the workers' start-up
 * and each worker's own JIT warm-up), and, when it has the flag, `--workers 1`
 * and `--workers 2` at both sizes (the per-probe cost of each path, start-up
 * excluded); `--skip cpu-workers` leaves those out.
 */
function cliVariants(cli) {
  const fixed = cli.hasWorkers && !SKIP.has('cpu-workers') ? [1, 2].map((w) => ({ who: `cli:${cli.label} --workers ${w}`, cli, extra: ['--workers', String(w)] })) : [];
  return [{ who: `cli:${cli.label}`, cli, extra: [] }, ...fixed];
}

async function cpuPasses(work, config, lists, goClient, hello, raw) {
  for (let pass = 0; pass < PASSES; pass++) {
    const ids = Object.keys(MODES);
    for (const id of pass % 2 ? ids.reverse() : ids) {
      const mode = MODES[id];
      if (mode.farm === SMTP && !goClient) continue;
      const steps = [...CLIS.flatMap(cliVariants), ...(goClient && !NO_GO ? mode.go.filter((g) => g !== 'observe12' || hello).map((g) => ({ who: `go:${g}`, g })) : [])];
      if (pass % 2) steps.reverse();
      for (const size of CPU_SIZES) {
        for (const s of steps) {
          const r = s.cli ? await cliRun(s.cli, work, config, lists, mode, size, CONC, s.extra) : await goRun(goClient, work, lists, mode, s.g, size, CONC, hello);
          r.expected = expected(size);
          log(`pass ${pass + 1} ${id} ${s.who} ${r.expected}: ${r.cpuS.toFixed(2)} s CPU, ${r.wallS.toFixed(2)} s wall, ok ${r.ok}/${r.expected}`);
          ((raw.cpu[id] ??= {})[s.who] ??= { small: [], big: [], steady: [] })[size].push(strip(r));
        }
      }
    }
  }
}

/** What the raw JSON keeps of a run. */
const strip = ({ output, ...r }) => (r.ok === r.expected ? r : { ...r, output: output.slice(-2000) });

async function startup(work, config, goClient, raw) {
  const host = join(work, 'one-host.txt');
  writeFileSync(host, `${NGINX.hosts[0]}\n`);
  const goHost = join(work, 'go-one-host.txt');
  writeFileSync(goHost, `${NGINX.hosts[0]}:${NGINX.ports[0]}\n`);
  for (let i = 0; i < 7; i++) {
    for (const cli of i % 2 ? [...CLIS].reverse() : CLIS) {
      const r = await runCli(cli, { work, config, targetsFile: host, proto: 'tls', ports: [NGINX.ports[0]], concurrency: CONC });
      r.expected = 1;
      (raw.startup[`cli:${cli.label}`] ??= []).push(strip(r));
    }
    if (goClient && !NO_GO) {
      const r = await runGo(goClient, { work, targetsFile: goHost, mode: 'tls13', concurrency: CONC });
      r.expected = 1;
      (raw.startup['go:tls13'] ??= []).push(strip(r));
    }
  }
  // And the bare start of the command: `wildtls --version` loads no plugin and scans nothing.
  for (const cli of CLIS) {
    for (let i = 0; i < 5; i++) {
      const r = await timed([process.execPath, cli.bin, '--version'], { cwd: work, timeFile: join(work, 'time.txt') });
      (raw.startup[`version:${cli.label}`] ??= []).push({ cpuS: r.cpuS, wallS: r.wallS, maxRssKiB: r.maxRssKiB });
    }
  }
  log('start-up done');
}

async function throughput(work, config, lists, goClient, raw) {
  const mode = MODES['tls-modern'] ?? ALL_MODES['tls-modern'];
  const variants = CLIS.flatMap((cli) => [{ who: `cli:${cli.label} (default workers)`, cli, extra: [] }, ...(cli.hasWorkers ? [1, 2].map((w) => ({ who: `cli:${cli.label} --workers ${w}`, cli, extra: ['--workers', String(w)] })) : [])]);
  if (goClient && !NO_GO) variants.push({ who: 'go:tls13' });
  for (let pass = 0; pass < PASSES; pass++) {
    for (const v of pass % 2 ? [...variants].reverse() : variants) {
      for (const size of CPU_SIZES) {
        const r = v.cli ? await cliRun(v.cli, work, config, lists, mode, size, 500, v.extra) : await goRun(goClient, work, lists, mode, 'tls13', size, 500);
        r.expected = expected(size);
        log(`throughput pass ${pass + 1} ${v.who} ${r.expected}: ${(r.n / r.wallS).toFixed(0)} targets/s, ok ${r.ok}`);
        ((raw.throughput[v.who] ??= { small: [], big: [], steady: [] })[size]).push(strip(r));
      }
    }
  }
}

async function memory(work, config, hold, raw) {
  const cases = [
    { id: 'smtp, held after the banner (waiting for the EHLO reply)', proto: 'smtp', ports: HOLD.bannerPorts, args: [] },
    { id: 'tls, held after the ClientHello (waiting for the ServerHello), default profile', proto: 'tls', ports: HOLD.silentPorts, args: [] },
  ];
  for (const c of cases) {
    for (const cli of CLIS) {
      const o = { work, config, targetsFile: join(work, 'hold-hosts.txt'), proto: c.proto, ports: c.ports, args: c.args };
      const high = await heldScan(cli, hold, { ...o, concurrency: 5000, expect: 5000 });
      const low = await heldScan(cli, hold, { ...o, concurrency: 50, expect: 50 });
      raw.memory[`${c.id}|${cli.label}`] = { high, low, perProbe: perProbe(high, low) };
      log(`memory ${c.id} ${cli.label}: ${JSON.stringify(raw.memory[`${c.id}|${cli.label}`])}`);
    }
  }
}

/** One 4,064-target scan per mode under `node --cpu-prof`, each profile's top entries outside the handshake. */
async function profile(work, config, lists, dir, goServerUp, raw) {
  const cli = CLIS[0];
  raw.profile = [];
  for (const id of one('--cpu-prof-modes', 'tls-modern').split(',')) {
    const mode = ALL_MODES[id] ?? fail(`unknown mode ${id}`);
    if (mode.farm === SMTP && !goServerUp) continue;
    const out = join(dir, id);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    const targetsFile = mode.farm === NGINX ? lists.nginxHosts : lists.smtpHosts;
    const r = await runCli(cli, { work, config, targetsFile, proto: mode.proto, ports: mode.farm.ports.slice(0, SIZES.big), concurrency: CONC, args: mode.args, nodeArgs: ['--cpu-prof', '--cpu-prof-dir', out] });
    const files = readdirSync(out).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(out, f));
    const top = execFileSync(process.execPath, [fileURLToPath(new URL('./cpu-profile-top.mjs', import.meta.url)), ...files], { encoding: 'utf8' });
    raw.profile.push({ id, label: mode.label, cli: cli.label, ok: r.ok, files, top });
    log(`profile ${id}: ${r.ok} ok, ${files.join(' ')}`);
  }
}

const load = (l) => l.map((x) => x.toFixed(1)).join(' ');

function printReport(raw, notes) {
  const out = [];
  out.push(`Machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, Node ${process.version}; started ${raw.started.slice(0, 16)} UTC; load average (1, 5, 15 min) at the start ${load(raw.loadStart)}, at the end ${load(loadavg())}.`);
  out.push(`CLIs: ${CLIS.map((c) => `${c.label} (${c.root}${c.hasWorkers ? ', has --workers' : ', no --workers'})`).join('; ')}. Passes: ${PASSES}.`);
  for (const n of notes) out.push(`Note: ${n}`);
  if (Object.keys(raw.cpu).length) out.push('', '### CPU per probe, concurrency 50', '', cpuTable(MODES, raw.cpu, CLIS.flatMap((c) => cliVariants(c).map((v) => v.who)), PASSES));
  if (Object.keys(raw.cpu).length && CLIS.length > 1) {
    const label = (who) => who.slice(4);
    out.push('', `### A/B: each CLI against ${CLIS[0].label}, the same variant, concurrency 50`, '', abTable(MODES, raw.cpu, CLIS.map(cliVariants), PASSES, label));
  }
  if (Object.keys(raw.startup).length) {
    out.push('', '### Start-up', '', '| client | one-target scan: CPU s, median of 7 (min-max) | wall s | peak RSS MiB |', '| --- | --- | --- | --- |');
    for (const [who, rs] of Object.entries(raw.startup)) {
      const c = rs.map((r) => r.cpuS);
      const name = who.startsWith('version:') ? `\`wildtls --version\`, ${who.slice(8)}` : who.startsWith('cli:') ? `wildtls ${who.slice(4)}` : `Go ${who.slice(3)}`;
      const s = (x) => (x === 0 ? '< 0.01' : fixed(x, 2)); // GNU time counts in 10 ms steps
      out.push(`| ${name} | ${s(median(c))} (${s(Math.min(...c))}-${s(Math.max(...c))}) | ${fixed(median(rs.map((r) => r.wallS)), 2)} | ${fixed(median(rs.map((r) => r.maxRssKiB)) / 1024, 0)} |`);
    }
  }
  if (Object.keys(raw.throughput).length) {
    // --steady: the whole command at 12,192 targets too (start-up, the JIT's warm-up and any workers included).
    const big3 = Object.values(raw.throughput).some((r) => r.steady?.length);
    out.push(
      '',
      '### Throughput, concurrency 500, `--profile modern` (Go: TLS 1.3)',
      '',
      `| client | targets/s at 4,064 (whole command, median) | marginal targets/s 254 -> 4,064 (median) | ms CPU per probe, marginal |${big3 ? ' targets/s at 12,192 (whole command, median) | CPU s at 12,192 (median) |' : ''} records ok |`,
      `| --- | --- | --- | --- |${big3 ? ' --- | --- |' : ''} --- |`,
    );
    for (const [who, r] of Object.entries(raw.throughput)) {
      const name = who.startsWith('cli:') ? `wildtls ${who.slice(4)}` : `Go ${who.slice(3)}`;
      const pairs = r.big.map((b, p) => [r.small[p], b]);
      const at12k = big3 ? ` ${fixed(median((r.steady ?? []).map((b) => b.n / b.wallS)), 0)} | ${fixed(median((r.steady ?? []).map((b) => b.cpuS)), 2)} |` : '';
      out.push(`| ${name} | ${fixed(median(r.big.map((b) => b.n / b.wallS)), 0)} | ${fixed(median(pairs.map(([s, b]) => marginalRate(s, b))), 0)} | ${fixed(median(pairs.map(([s, b]) => marginalMs(s, b))))} |${at12k} ${okText([...r.small, ...r.big, ...(r.steady ?? [])])} |`);
    }
    for (const c of CLIS.filter((x) => !x.hasWorkers)) for (const w of [1, 2]) out.push(`| wildtls ${c.label} --workers ${w} | skipped: no --workers flag in this CLI | | | |`);
  }
  if (Object.keys(raw.memory).length) {
    out.push('', '### Memory per in-flight probe (concurrency 5,000 against 50)', '', '| probe held | CLI | held at 5,000 / 50 | RSS of the process tree MiB at 5,000 / 50 | KiB RSS per probe | KiB heap+external per probe (main thread) |', '| --- | --- | --- | --- | --- | --- |');
    for (const [key, m] of Object.entries(raw.memory)) {
      const [id, label] = key.split('|');
      out.push(`| ${id} | ${label} | ${m.high.held} / ${m.low.held}${m.high.reached ? '' : ' (5,000 not reached)'} | ${fixed(m.high.rssKiB / 1024, 0)} / ${fixed(m.low.rssKiB / 1024, 0)} | ${fixed(m.perProbe.rssKiB, 1)} | ${fixed(m.perProbe.heapKiB, 1)} |`);
    }
  }
  for (const p of raw.profile ?? []) out.push('', `### CPU profile: ${p.label}, 4,064 targets, concurrency 50, CLI ${p.cli} (${p.ok} ok)`, '', p.top);
  console.log(out.join('\n'));
}

await main();
