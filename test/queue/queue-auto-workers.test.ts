import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, stopPid, tempDir } from '../harness/daemon.js';
import { requireBinaries } from '../harness/require-binary.js';
import { ROOT } from '../targets/cli-run.js';
import { startFarm, type Farm } from '../targets/loopback-farm.js';
import { readOutput } from './records.js';
import { REDIS_SERVER, finished, startCli, startRedis, type CliProcess } from './start-redis.js';

/*
 * `wildtls worker` without --workers (redis-server on loopback): its main thread probes, and a worker
 * thread joins it once the probing threads are saturated, as in `wildtls scan`. The busy test plugin
 * (20 ms of CPU per probe) against banner listeners on 127.0.111.0/24 keeps one thread busy for about
 * 5 s: the worker starts after two saturated seconds, with about 150 probes still to run.
 */

const ready = requireBinaries([{ path: REDIS_SERVER, pkg: 'redis-server' }]);
const BUSY_PLUGIN = join(ROOT, 'test/fixtures/workers/busy-plugin.mjs');
const ADDRESSES = Array.from({ length: 256 }, (_, i) => `127.0.111.${i}`);

let dir = '';
let farm: Farm | undefined;
const started: CliProcess[] = [];

beforeAll(async () => {
  if (!ready) return;
  dir = tempDir('queue-auto-workers');
  farm = await startFarm(ADDRESSES);
  writeFileSync(join(dir, 'wildtls.config.yaml'), [`plugins: [${JSON.stringify(BUSY_PLUGIN)}]`, 'log: { level: info }', 'scan: { perNetworkConcurrency: 1000, connectRetries: 0 }', ''].join('\n'));
});

afterAll(async () => {
  for (const p of started) await stopPid(p.pid, 500);
  await farm?.close();
  if (dir) removeDir(dir);
});

describe.runIf(ready)('wildtls worker without --workers (redis-server on loopback)', () => {
  it('adds a worker thread once its main thread is saturated; every probe once', async () => {
    expect(availableParallelism(), 'this test needs a second core for the worker thread').toBeGreaterThanOrEqual(2);
    const redis = await startRedis(dir);
    try {
      const out = join(dir, 'out.jsonl');
      const coord = startCli(['scan', '127.0.111.0/24', '-p', 'busy', '--port', String(farm!.port), '--allow', '127.0.0.0/8', '--rate', '0', '-o', out, '--queue', redis.url, '--log-format', 'json'], dir);
      const worker = startCli(['worker', '--queue', redis.url, '--concurrency', '32', '--log-level', 'debug', '--log-format', 'json'], dir);
      started.push(coord, worker);
      expect(await finished(coord, 60_000, 'the coordinator'), coord.output()).toBe(0);
      expect(await finished(worker, 20_000, 'the worker'), worker.output()).toBe(0);
      const added = worker.output().split('\n').find((l) => l.includes('starting probe workers'));
      expect(added, worker.output()).toBeDefined();
      expect(JSON.parse(added!)).toMatchObject({ add: 1 });
      // The thread ran probes of the job's chunks (the pool logs what it was sent when it closes).
      const closing = worker.output().split('\n').find((l) => l.includes('probe pool closing'));
      expect(closing, worker.output()).toBeDefined();
      expect((JSON.parse(closing!) as { jobs: number }).jobs).toBeGreaterThan(0);
      const records = readOutput(out);
      expect(records.map((r) => r.ip).sort()).toEqual([...ADDRESSES].sort());
      expect(new Set(records.map((r) => r.status))).toEqual(new Set(['no-starttls']));
    } finally {
      await redis.stop();
    }
  }, 120_000);
});
