import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BANNER_PLUGIN, runCli } from './cli-run.js';
import { farmAddresses, startFarm, type Farm } from './loopback-farm.js';

interface Rec {
  ip: string;
  port: number;
  service: string;
  status: string;
}

function records(file: string): Rec[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec);
}

describe('scan through the CLI against a loopback farm (127.0.30.0/24)', () => {
  let farm: Farm;
  let dir: string;
  // 240 listeners; 127.0.30.240-255 have none (connection refused records).
  beforeAll(async () => {
    farm = await startFarm(farmAddresses(0, 239), { delay: (a) => (Number(a.split('.')[3]) % 7) * 15 });
    dir = mkdtempSync(join(tmpdir(), 'wildtls-farm-'));
    writeFileSync(join(dir, 'wildtls.config.yaml'), `plugins: [${BANNER_PLUGIN}]\nlog: { level: warn }\nscan: { checkpointInterval: 150, progress: off, connectRetries: 0 }\n`);
  });
  afterAll(() => farm.close());

  const base = () => ['scan', '127.0.30.0/24', '-p', 'banner', '--port', String(farm.port), '--allow', '127.0.0.0/8', '--per-network', '1000'];

  it('never connects to a blocklisted address (checked at the socket level) and counts it as excluded', async () => {
    const block = join(dir, 'block.txt');
    writeFileSync(block, '# opt-out\n127.0.30.7\n127.0.30.128/28\n');
    farm.connections.clear();
    const out = join(dir, 'blocked.jsonl');
    const r = await runCli([...base(), '--blocklist', block, '--rate', '0', '--concurrency', '64', '-o', out, '--seed', '3'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const blocked = new Set(['127.0.30.7', ...farmAddresses(128, 143)]);
    for (const a of blocked) expect(farm.connections.get(a) ?? 0, a).toBe(0);
    for (const a of farm.addresses) if (!blocked.has(a)) expect(farm.connections.get(a), a).toBe(1);
    const recs = records(out);
    expect(recs).toHaveLength(256 - 17);
    expect(recs.some((x) => blocked.has(x.ip))).toBe(false);
    expect(r.stderr).toMatch(/excluded by blocklist: 17/);
  });

  it('resume after kill -9 at random points gives the same records as an uninterrupted scan', async () => {
    const full = join(dir, 'full.jsonl');
    const r0 = await runCli([...base(), '--rate', '0', '--concurrency', '50', '-o', full, '--seed', '11'], { cwd: dir });
    expect(r0.code, r0.stderr).toBe(0);
    const expected = records(full).map((x) => `${x.ip}|${x.status}`).sort();
    expect(expected).toHaveLength(256);
    expect(expected.filter((k) => k.endsWith('|no-starttls'))).toHaveLength(240);

    const out = join(dir, 'resumed.jsonl');
    const ckpt = join(dir, 'scan.ckpt');
    const args = [...base(), '--rate', '80', '--concurrency', '20', '-o', out, '--checkpoint', ckpt, '--seed', '11'];
    // Each run but the last is killed with SIGKILL once the farm has seen a random number of its connections.
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
    // At least one run really resumed from the middle of the scan.
    expect(midScanResumes).toBeGreaterThanOrEqual(1);
    const ck = JSON.parse(readFileSync(ckpt, 'utf8')) as { complete: boolean; counters: { probes: number } };
    expect(ck.complete).toBe(true);
    const got = records(out).map((x) => `${x.ip}|${x.status}`).sort();
    // Same set, each target exactly once: no duplicate and none lost.
    expect(got).toEqual(expected);
    expect(ck.counters.probes).toBe(256);
  }, 120_000); // up to six CLI runs at --rate 80: over 30 s on a loaded machine
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

describe('signals', () => {
  let farm: Farm;
  let dir: string;
  beforeAll(async () => {
    farm = await startFarm(farmAddresses(0, 255));
    dir = mkdtempSync(join(tmpdir(), 'wildtls-signals-'));
    writeFileSync(join(dir, 'wildtls.config.yaml'), `plugins: [${BANNER_PLUGIN}]\nscan: { checkpointInterval: 200, progress: off, connectRetries: 0, shutdownGrace: 2000 }\n`);
  });
  afterAll(() => farm.close());

  const base = () => ['scan', '127.0.30.0/24', '-p', 'banner', '--port', String(farm.port), '--allow', '127.0.0.0/8', '--per-network', '1000', '--seed', '5'];

  it('SIGHUP re-reads the blocklist: newly blocked addresses are not connected to after the reload', async () => {
    const block = join(dir, 'hup-block.txt');
    writeFileSync(block, '# nothing yet\n');
    farm.connections.clear();
    farm.firstSeen.clear();
    const out = join(dir, 'hup.jsonl');
    let sentAt = 0;
    const r = await runCli([...base(), '--rate', '100', '--concurrency', '10', '--blocklist', block, '-o', out, '--log-level', 'info', '--log-format', 'json'], {
      cwd: dir,
      // Once the scan is under way (a quarter of the farm reached), block the upper half.
      onStart: (c) =>
        void whenConnected(farm, 64).then(() => {
          writeFileSync(block, '127.0.30.128/25\n');
          sentAt = Date.now();
          c.kill('SIGHUP');
        }),
    });
    expect(r.code, r.stderr).toBe(0);
    const reload = r.stderr.split('\n').filter((l) => l.includes('blocklist and allowlist reloaded')).map((l) => JSON.parse(l) as { time: number });
    expect(reload).toHaveLength(1);
    const reloadedAt = reload[0]!.time;
    expect(reloadedAt).toBeGreaterThanOrEqual(sentAt - 5);
    const blocked = farmAddresses(128, 255);
    // The scanner checks the blocklist synchronously right before it hands a probe to a worker, so a
    // probe handed over just before the reload may still connect just after it (a loaded machine delays
    // the connect, not the check): at most the 10 probes --concurrency lets be in flight. A reload that
    // did nothing would let some 90 of the upper half's 128 addresses in after it.
    const late = blocked.filter((a) => (farm.firstSeen.get(a) ?? 0) > reloadedAt);
    expect(late.length, `first seen after the reload: ${late.join(' ')}`).toBeLessThanOrEqual(10);
    // Some of the upper half was still to come when the reload happened, and was skipped.
    const recs = records(out);
    expect(recs.length).toBeLessThan(256);
    expect(recs.length).toBe(new Set(recs.map((x) => x.ip)).size);
  });

  it('SIGTERM stops admission, lets in-flight probes finish, flushes and checkpoints; resume completes', async () => {
    const out = join(dir, 'term.jsonl');
    const ckpt = join(dir, 'term.ckpt');
    const args = [...base(), '--rate', '60', '--concurrency', '10', '-o', out, '--checkpoint', ckpt];
    farm.connections.clear();
    const r = await runCli(args, { cwd: dir, onStart: (c) => void whenConnected(farm, 60).then(() => c.kill('SIGTERM')) });
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/stopped early/);
    const ck = JSON.parse(readFileSync(ckpt, 'utf8')) as { complete: boolean; position: number; counters: { probes: number }; output: { bytes: number } };
    expect(ck.complete).toBe(false);
    // Every record the checkpoint counts is in the file, and the file ends there (a clean stop).
    expect(records(out)).toHaveLength(ck.counters.probes);
    expect(readFileSync(out).length).toBe(ck.output.bytes);
    const r2 = await runCli([...args, '--resume', '--set', 'scan.rate=0'], { cwd: dir });
    expect(r2.code, r2.stderr).toBe(0);
    const ips = records(out).map((x) => x.ip).sort();
    expect(ips).toEqual(farmAddresses(0, 255).sort());
  });
});
