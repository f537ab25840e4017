import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { certificateChain } from '@wildtls/core/testing';
import { BANNER_PLUGIN, ROOT, runCli } from './cli-run.js';
import { startFarm, type Farm } from './loopback-farm.js';

const CRASH_PLUGIN = join(ROOT, 'test/fixtures/workers/crash-plugin.mjs');
const BUSY_PLUGIN = join(ROOT, 'test/fixtures/workers/busy-plugin.mjs');

type Rec = Record<string, unknown> & { ip: string; port: number; service: string; status: string };

/** 127.0.55.<from>..127.0.55.<to> (this suite's addresses). */
function addresses(from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, i) => `127.0.55.${from + i}`);
}

function records(file: string): Rec[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec);
}

/** Records as a sorted list of JSON strings, without the fields that say when and how fast a probe ran. */
function timeless(file: string): string[] {
  return records(file)
    .map(({ startedAt: _s, durationMs: _d, ...rest }) => {
      const tls = rest.tls as { handshakeMs?: number } | undefined;
      if (tls) delete tls.handshakeMs;
      return JSON.stringify(rest);
    })
    .sort();
}

describe('scan --workers: probes in worker threads (127.0.55.0/24)', () => {
  let farm: Farm;
  const tlsServers: Server[] = [];
  let tlsPort = 0;
  let dir: string;
  beforeAll(async () => {
    // Banner listeners on .0-.199 (answering after 0-90 ms); TLS listeners on .240-.243; nothing elsewhere.
    // RSA keys: their signatures have one length, so the bytes a probe receives do not vary (ECDSA's DER does).
    farm = await startFarm(addresses(0, 199), { delay: (a) => (Number(a.split('.')[3]) % 7) * 15 });
    const chain = await certificateChain();
    for (const ip of addresses(240, 243)) {
      const s = createServer({ cert: chain.leaf.certPem + chain.intermediate.certPem, key: chain.leaf.keyPem, minVersion: 'TLSv1.2' }, (c: TLSSocket) => {
        c.on('error', () => {});
        c.end();
      });
      s.on('tlsClientError', () => {});
      s.listen({ host: ip, port: tlsPort });
      await once(s, 'listening');
      tlsPort = (s.address() as { port: number }).port;
      tlsServers.push(s);
    }
    dir = mkdtempSync(join(tmpdir(), 'wildtls-workers-'));
    writeFileSync(
      join(dir, 'wildtls.config.yaml'),
      [
        `plugins: ['@wildtls/protocol-tls', ${BANNER_PLUGIN}, ${CRASH_PLUGIN}, ${BUSY_PLUGIN}]`,
        'log: { level: warn }',
        `scan: { checkpointInterval: 150, progress: off, connectRetries: 0, perNetworkConcurrency: 1000 }`,
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await farm.close();
    await Promise.all(tlsServers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  });

  const base = () => ['scan', '127.0.55.0/24', '-p', 'banner', '-p', 'tls', '--allow', '127.0.0.0/8', '--set', `scan.servicePorts={banner: [${farm.port}], tls: [${tlsPort}]}`];

  it('two workers write exactly the records one worker writes (order and timing aside)', async () => {
    const one = join(dir, 'one.jsonl');
    const two = join(dir, 'two.jsonl');
    const r1 = await runCli([...base(), '--workers', '1', '--rate', '0', '--concurrency', '64', '--seed', '3', '-o', one], { cwd: dir });
    expect(r1.code, r1.stderr).toBe(0);
    const r2 = await runCli([...base(), '--workers', '2', '--rate', '0', '--concurrency', '64', '--seed', '3', '-o', two, '--log-level', 'info', '--log-format', 'json'], { cwd: dir });
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stderr).toMatch(/"workers":2,.*"msg":"scan starting"/);
    const expected = timeless(one);
    expect(expected).toHaveLength(512);
    const statuses = new Set(records(one).map((r) => `${r.service}:${r.status}`));
    expect(statuses).toEqual(new Set(['banner:no-starttls', 'banner:connect-failed', 'tls:success', 'tls:connect-failed']));
    expect(timeless(two)).toEqual(expected);
    // Without --workers: the main thread probes, and workers join only while it is saturated and 8,192 probes
    // remain per worker: 512 stay in the main thread, same records.
    const auto = join(dir, 'auto.jsonl');
    const r3 = await runCli([...base(), '--rate', '0', '--concurrency', '64', '--seed', '3', '-o', auto, '--log-level', 'debug', '--log-format', 'json'], { cwd: dir });
    expect(r3.code, r3.stderr).toBe(0);
    expect(r3.stderr).toContain('"workers":"auto",');
    expect(r3.stderr).not.toContain('starting probe workers');
    expect(r3.stderr).not.toContain('probe pool closing');
    expect(timeless(auto)).toEqual(expected);
  }, 60_000);

  const busy = () => ['scan', '127.0.55.0/24', '-p', 'busy', '--port', String(farm.port), '--allow', '127.0.0.0/8', '--seed', '7'];

  it('without --workers, a scan that saturates the main thread gets a worker mid-scan, and writes the records one thread writes', async () => {
    // Each busy probe costs 20 ms of CPU: 200 answering addresses keep one thread busy for 4 s.
    expect(availableParallelism(), 'this test needs a second core for the worker').toBeGreaterThanOrEqual(2);
    const one = join(dir, 'busy-one.jsonl');
    const r1 = await runCli([...busy(), '--workers', '1', '--rate', '0', '--concurrency', '32', '-o', one], { cwd: dir });
    expect(r1.code, r1.stderr).toBe(0);
    const expected = timeless(one);
    expect(expected).toHaveLength(256);
    const auto = join(dir, 'busy-auto.jsonl');
    const r2 = await runCli([...busy(), '--rate', '0', '--concurrency', '32', '--set', 'scan.workerMinProbes=20', '-o', auto, '--log-level', 'debug', '--log-format', 'json'], { cwd: dir });
    expect(r2.code, r2.stderr).toBe(0);
    const added = r2.stderr.split('\n').find((l) => l.includes('starting probe workers'));
    expect(added, r2.stderr).toBeDefined();
    const why = JSON.parse(added!) as { add: number; utilization: number[]; remaining: number };
    expect(why.add).toBe(1);
    expect(why.utilization[0]).toBeGreaterThanOrEqual(0.9);
    expect(why.remaining).toBeGreaterThanOrEqual(20);
    // The worker ran some of the probes, the main thread the others.
    const closing = JSON.parse(r2.stderr.split('\n').find((l) => l.includes('probe pool closing'))!) as { jobs: number };
    expect(closing.jobs).toBeGreaterThan(0);
    expect(closing.jobs).toBeLessThan(256);
    expect(r2.stderr).toMatch(/"workersAdded":1/);
    expect(timeless(auto)).toEqual(expected);
  }, 60_000);

  it('kill -9 during a scan a worker joined mid-scan, then --resume: nothing lost, nothing duplicated', async () => {
    expect(availableParallelism(), 'this test needs a second core for the worker').toBeGreaterThanOrEqual(2);
    const full = join(dir, 'busy-full.jsonl');
    const r0 = await runCli([...busy(), '--workers', '1', '--rate', '0', '--concurrency', '32', '-o', full], { cwd: dir });
    expect(r0.code, r0.stderr).toBe(0);
    const expected = records(full).map((x) => `${x.ip}|${x.status}`).sort();
    expect(expected).toHaveLength(256);

    const out = join(dir, 'busy-resumed.jsonl');
    const ckpt = join(dir, 'busy.ckpt');
    const args = [...busy(), '--rate', '0', '--concurrency', '32', '--set', 'scan.workerMinProbes=20', '-o', out, '--checkpoint', ckpt, '--log-level', 'info', '--log-format', 'json'];
    // About 100 probes run in the main thread alone before the worker joins (2 s of 20 ms probes): the kill
    // comes later, with probes in flight in both threads.
    farm.connections.clear();
    const first = await runCli(args, { cwd: dir, onStart: (c) => void whenConnected(farm, 150 + Math.floor(Math.random() * 40)).then(() => c.kill('SIGKILL')) });
    expect(first.signal).toBe('SIGKILL');
    expect(first.stderr).toContain('starting probe workers');
    const before = JSON.parse(readFileSync(ckpt, 'utf8')) as { complete: boolean; position: number };
    expect(before.complete).toBe(false);
    const r = await runCli([...args, '--resume'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const ck = JSON.parse(readFileSync(ckpt, 'utf8')) as { complete: boolean; counters: { probes: number } };
    expect(ck.complete).toBe(true);
    // Same set, each target exactly once.
    expect(records(out).map((x) => `${x.ip}|${x.status}`).sort()).toEqual(expected);
    expect(ck.counters.probes).toBe(256);
  }, 120_000);

  it('SIGTERM during a scan a worker joined mid-scan stops admission, lets in-flight probes finish, flushes and checkpoints; resume completes', async () => {
    expect(availableParallelism(), 'this test needs a second core for the worker').toBeGreaterThanOrEqual(2);
    const out = join(dir, 'busy-term.jsonl');
    const ckpt = join(dir, 'busy-term.ckpt');
    const args = [...busy(), '--rate', '0', '--concurrency', '32', '--set', 'scan.workerMinProbes=20', '-o', out, '--checkpoint', ckpt, '--log-level', 'info', '--log-format', 'json'];
    // The worker joins at about 130 connections (two seconds of 20 ms probes); the signal comes after.
    farm.connections.clear();
    const r = await runCli(args, { cwd: dir, onStart: (c) => void whenConnected(farm, 170).then(() => c.kill('SIGTERM')) });
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('starting probe workers');
    const ck = JSON.parse(readFileSync(ckpt, 'utf8')) as { complete: boolean; counters: { probes: number }; output: { bytes: number } };
    expect(ck.complete).toBe(false);
    // Every record the checkpoint counts is in the file, and the file ends there (a clean stop).
    expect(records(out)).toHaveLength(ck.counters.probes);
    expect(readFileSync(out).length).toBe(ck.output.bytes);
    const r2 = await runCli([...args, '--resume'], { cwd: dir });
    expect(r2.code, r2.stderr).toBe(0);
    expect(records(out).map((x) => x.ip).sort()).toEqual(addresses(0, 255).sort());
  }, 60_000);

  it('--resume counts the probes left from the checkpoint: a resumed scan with fewer left than a worker needs gets none', async () => {
    const out = join(dir, 'busy-left.jsonl');
    const ckpt = join(dir, 'busy-left.ckpt');
    const args = [...busy(), '--rate', '0', '--concurrency', '32', '-o', out, '--checkpoint', ckpt, '--log-level', 'info', '--log-format', 'json'];
    // 40 ms of CPU a probe: about 25 a second in one thread.
    const slow = { WILDTLS_BUSY_MS: '40' };
    farm.connections.clear();
    const r = await runCli([...args, '--set', 'scan.workerMinProbes=100000'], { cwd: dir, env: slow, onStart: (c) => void whenConnected(farm, 90).then(() => c.kill('SIGTERM')) });
    expect(r.code, r.stderr).toBe(130);
    const ck = JSON.parse(readFileSync(ckpt, 'utf8')) as { position: number };
    const left = 256 - ck.position;
    // Resumed with a worker needing all that is left: two saturated seconds later fewer remain, so none
    // joins. Counted from the plan's start (256 less the probes this run started) they would look like
    // enough, and one would.
    const r2 = await runCli([...args, '--set', `scan.workerMinProbes=${left}`, '--resume'], { cwd: dir, env: slow });
    expect(r2.code, r2.stderr).toBe(0);
    // The check means something only if the resumed scan stayed saturated past the two windows.
    expect(Number(/"elapsedMs":([\d.]+)/.exec(r2.stderr)?.[1])).toBeGreaterThan(2500);
    expect(r2.stderr).not.toContain('starting probe workers');
    expect(records(out).map((x) => x.ip).sort()).toEqual(addresses(0, 255).sort());
  }, 60_000);

  it('without --workers, a scan held back by its rate limit stays in the main thread however many probes remain', async () => {
    const out = join(dir, 'paced-auto.jsonl');
    // 256 probes at 80 per second: over 3 s, in which the main thread mostly waits.
    const r = await runCli([...banner(), '--rate', '80', '--concurrency', '64', '--set', 'scan.workerMinProbes=1', '-o', out, '--log-level', 'debug', '--log-format', 'json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(records(out)).toHaveLength(256);
    expect(r.stderr).not.toContain('starting probe workers');
    expect(r.stderr).not.toContain('probe pool closing');
  }, 60_000);

  const banner = () => ['scan', '127.0.55.0/24', '-p', 'banner', '--port', String(farm.port), '--allow', '127.0.0.0/8'];

  it('the jobs admitted in one turn of the main thread go to a worker in one message', async () => {
    const out = join(dir, 'batched.jsonl');
    const r = await runCli([...banner(), '--workers', '2', '--rate', '0', '--concurrency', '64', '-o', out, '--log-level', 'debug', '--log-format', 'json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(records(out)).toHaveLength(256);
    const line = r.stderr.split('\n').find((l) => l.includes('probe pool closing'));
    const sent = JSON.parse(line!) as { jobs: number; messages: number };
    expect(sent.jobs).toBe(256);
    // The first 64 jobs leave in one message per worker; later ones as the answers come back in batches.
    // One message per job (no batching) would make it 256.
    expect(sent.messages).toBeLessThanOrEqual(256 / 2);
  });

  it('kill -9 during a two-worker scan, then --resume: nothing lost, nothing duplicated', async () => {
    const full = join(dir, 'full.jsonl');
    const r0 = await runCli([...banner(), '--workers', '1', '--rate', '0', '--concurrency', '50', '-o', full, '--seed', '11'], { cwd: dir });
    expect(r0.code, r0.stderr).toBe(0);
    const expected = records(full).map((x) => `${x.ip}|${x.status}`).sort();
    expect(expected).toHaveLength(256);

    const out = join(dir, 'resumed.jsonl');
    const ckpt = join(dir, 'scan.ckpt');
    const args = [...banner(), '--workers', '2', '--rate', '80', '--concurrency', '20', '-o', out, '--checkpoint', ckpt, '--seed', '11'];
    // As the one-thread kill -9 test does: each run but the last is killed once the farm has seen a random number of connections.
    let kills = 0;
    let midScanResumes = 0;
    const killAtRandomPoint = (child: ChildProcess) => {
      farm.connections.clear();
      void whenConnected(farm, 10 + Math.floor(Math.random() * 60)).then(() => child.kill('SIGKILL'));
    };
    const first = await runCli(args, { cwd: dir, onStart: killAtRandomPoint });
    if (first.signal === 'SIGKILL') kills++;
    expect(existsSync(ckpt)).toBe(true);
    for (let round = 0; round < 4; round++) {
      const before = JSON.parse(readFileSync(ckpt, 'utf8')) as { complete: boolean; position: number };
      if (before.complete) break;
      if (before.position > 0) midScanResumes++;
      const r = await runCli([...args, '--resume'], { cwd: dir, onStart: round < 2 ? killAtRandomPoint : undefined });
      if (r.signal === 'SIGKILL') kills++;
      else expect(r.code, r.stderr).toBe(0);
    }
    expect(kills).toBeGreaterThanOrEqual(1);
    expect(midScanResumes).toBeGreaterThanOrEqual(1);
    const ck = JSON.parse(readFileSync(ckpt, 'utf8')) as { complete: boolean; counters: { probes: number } };
    expect(ck.complete).toBe(true);
    // Same set, each target exactly once.
    expect(records(out).map((x) => `${x.ip}|${x.status}`).sort()).toEqual(expected);
    expect(ck.counters.probes).toBe(256);
  }, 120_000);

  it('SIGTERM during a two-worker scan stops admission, lets in-flight probes finish, flushes and checkpoints; resume completes', async () => {
    const out = join(dir, 'term.jsonl');
    const ckpt = join(dir, 'term.ckpt');
    const args = [...banner(), '--workers', '2', '--rate', '60', '--concurrency', '10', '-o', out, '--checkpoint', ckpt, '--seed', '5'];
    farm.connections.clear();
    const r = await runCli(args, { cwd: dir, onStart: (c) => void whenConnected(farm, 60).then(() => c.kill('SIGTERM')) });
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/stopped early/);
    const ck = JSON.parse(readFileSync(ckpt, 'utf8')) as { complete: boolean; counters: { probes: number }; output: { bytes: number } };
    expect(ck.complete).toBe(false);
    // Every record the checkpoint counts is in the file, and the file ends there (a clean stop).
    expect(records(out)).toHaveLength(ck.counters.probes);
    expect(readFileSync(out).length).toBe(ck.output.bytes);
    const r2 = await runCli([...args, '--resume', '--set', 'scan.rate=0'], { cwd: dir });
    expect(r2.code, r2.stderr).toBe(0);
    expect(records(out).map((x) => x.ip).sort()).toEqual(addresses(0, 255).sort());
  }, 60_000);

  it('the rate limit holds across workers: at --rate 100, no second of server-side accepts holds more than 100 beyond the burst', async () => {
    const rate = 100;
    const out = join(dir, 'rate.jsonl');
    farm.acceptedAt.length = 0;
    const t0 = performance.now();
    const r = await runCli([...banner(), '--workers', '2', '--rate', String(rate), '--concurrency', '200', '-o', out, '--seed', '5'], { cwd: dir });
    const wallS = (performance.now() - t0) / 1000;
    expect(r.code, r.stderr).toBe(0);
    expect(records(out)).toHaveLength(256);
    // 256 connection attempts at 100/s: at least 2.55 s after the first token (the default burst is 10 ms of tokens: one).
    expect(wallS).toBeGreaterThanOrEqual((256 - 1) / rate);
    const times = farm.acceptedAt;
    expect(times).toHaveLength(200);
    // Any one-second window: at most rate + burst, plus 10 accepts for the listener's own scheduling delay
    // (accepts that queued behind a busy event loop are timestamped together).
    let worst = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i]! - times[j]! >= 1000) j++;
      worst = Math.max(worst, i - j + 1);
    }
    expect(worst).toBeLessThanOrEqual(rate + 1 + 10);
  });

  it('a worker that dies takes no record with it: its probes are retried once on another worker', async () => {
    const marker = join(tmpdir(), `wildtls-crash-once-${farm.port}`);
    rmSync(marker, { force: true });
    const out = join(dir, 'crash-once.jsonl');
    try {
      // The first probe any worker runs throws an uncaught exception, with about 8 other probes in flight in its worker.
      const r = await runCli(['scan', '127.0.55.0/25', '-p', 'crash-once', '--port', String(farm.port), '--allow', '127.0.0.0/8', '--workers', '2', '--rate', '0', '--concurrency', '16', '-o', out], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      expect(existsSync(marker)).toBe(true);
      expect(r.stderr).toMatch(/probe worker died \(crash-plugin: uncaught bug\)/);
      expect(r.stderr).toMatch(/probe workers that died: 1 /);
      // Other probes were in flight in the dead worker, and were retried.
      const died = r.stderr.split('\n').find((l) => l.includes('probe worker died'));
      expect(Number(/ inFlight=(\d+)/.exec(died!)?.[1])).toBeGreaterThan(1);
      const recs = records(out);
      expect(recs.map((x) => x.ip).sort()).toEqual(addresses(0, 127).sort());
      expect(new Set(recs.map((x) => x.status))).toEqual(new Set(['no-starttls']));
    } finally {
      rmSync(marker, { force: true });
    }
  });

  it('a probe whose second worker dies too is recorded as internal-error, and every other probe as the server answered', async () => {
    const out = join(dir, 'crash-always.jsonl');
    // One probe in flight at a time: the probe of .13 kills its worker, then the replacement; nothing else is lost with them.
    const r = await runCli(['scan', '127.0.55.8/29', '-p', 'crash-always', '--port', String(farm.port), '--allow', '127.0.0.0/8', '--workers', '2', '--rate', '0', '--concurrency', '1', '-o', out], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/probe workers that died: 2 /);
    const recs = records(out);
    expect(recs.map((x) => x.ip).sort()).toEqual(addresses(8, 15).sort());
    for (const x of recs) {
      if (x.ip === '127.0.55.13') {
        expect(x.status).toBe('internal-error');
        expect(x.error).toEqual({ reason: 'internal', message: 'the probe worker died twice while running this probe (crash-plugin: uncaught bug)' });
      } else expect(x.status, x.ip).toBe('no-starttls');
    }
  });
});

/** Resolves once the farm has accepted `n` connections in all (bounded: 20 s). */
async function whenConnected(farm: Farm, n: number): Promise<void> {
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    let total = 0;
    for (const v of farm.connections.values()) total += v;
    if (total >= n) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}
