import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { certificateChain } from '@wildtls/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, stopPid, tempDir } from '../harness/daemon.js';
import { requireBinaries } from '../harness/require-binary.js';
import { duplicates, readOutput } from './records.js';
import { REDIS_SERVER, finished, freePort, startCli, startRedis, type CliProcess } from './start-redis.js';

/*
 * The edges of a queued scan, with redis-server (Debian package) on
 * 127.0.0.1: no Redis at the URL, a worker whose probe settings differ, ACL
 * users and passwords in the URL (right and wrong), and rediss:// (TLS;
 * Debian's redis-server 7 is built with TLS). Targets: 127.72.0.0/24 on port
 * 443, where nothing listens.
 */

const ready = requireBinaries([{ path: REDIS_SERVER, pkg: 'redis-server' }]);
let dir = '';
const started: CliProcess[] = [];

beforeAll(() => {
  if (ready) dir = tempDir('queue-errors');
});
afterAll(async () => {
  for (const p of started) await stopPid(p.pid, 500);
  if (dir) removeDir(dir);
});

function cli(args: string[], cwd: string, env: Record<string, string> = {}): CliProcess {
  const p = startCli(args, cwd, env);
  started.push(p);
  return p;
}
const sub = (name: string) => {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  return d;
};
const scanArgs = (url: string, out: string) => ['scan', '127.72.0.0/24', '-p', 'https', '--port', '443', '--allow', '127.0.0.0/8', '--seed', '3', '--rate', '500', '-o', out, '--queue', url, '--chunk-size', '32'];

describe.runIf(ready)('wildtls scan --queue / wildtls worker: bad input', () => {
  it('no Redis at the URL: a usage error (exit 2) naming the URL without its password, for coordinator and worker', async () => {
    const at = sub('unreachable');
    const port = await freePort();
    const url = `redis://scanner:s3cret-pw@127.0.0.1:${port}/0`;
    const coord = cli(scanArgs(url, join(at, 'out.jsonl')), at);
    expect(await finished(coord, 30_000, 'the coordinator')).toBe(2);
    expect(coord.output()).toContain(`redis://scanner:***@127.0.0.1:${port}/0`);
    expect(coord.output()).not.toContain('s3cret-pw');
    const worker = cli(['worker', '--queue', url], at);
    expect(await finished(worker, 30_000, 'the worker')).toBe(2);
    expect(worker.output()).toContain(`redis://scanner:***@127.0.0.1:${port}/0`);
    expect(worker.output()).not.toContain('s3cret-pw');
  }, 60_000);

  it('ACL user and requirepass in the URL: the job runs; a wrong password is refused (exit 2) without showing it', async () => {
    const at = sub('auth');
    const redis = await startRedis(at, ['--requirepass', 'default-pw', '--user', 'scanner', 'on', '>scanner-pw', '~*', '&*', '+@all']);
    try {
      const base = `127.0.0.1:${redis.port}/0`;
      const wrong = cli(['worker', '--queue', `redis://scanner:not-it@${base}`], at);
      expect(await finished(wrong, 30_000, 'the worker with a wrong password')).toBe(2);
      expect(wrong.output()).toMatch(/authentication failed/);
      expect(wrong.output()).not.toContain('not-it');
      const none = cli(['worker', '--queue', `redis://${base}`], at);
      expect(await finished(none, 30_000, 'the worker without a password')).toBe(2);
      const out = join(at, 'out.jsonl');
      const coord = cli(scanArgs(`redis://scanner:scanner-pw@${base}`, out), at);
      const worker = cli(['worker', '--queue', `redis://:default-pw@${base}`], at);
      expect(await finished(coord, 60_000, 'the coordinator'), coord.output()).toBe(0);
      expect(await finished(worker, 20_000, 'the worker'), worker.output()).toBe(0);
      const records = readOutput(out);
      expect(records.length).toBe(256);
      expect(duplicates(records).doubled).toEqual([]);
    } finally {
      await redis.stop();
    }
  }, 120_000);

  it('a worker whose probe settings differ refuses the job (exit 1, naming the setting); a matching worker completes it', async () => {
    const at = sub('refuse');
    const redis = await startRedis(at);
    try {
      const out = join(at, 'out.jsonl');
      const coord = cli(scanArgs(redis.url, out), at);
      const odd = cli(['worker', '--queue', redis.url, '--set', 'scan.timeout.connect=1234'], at);
      expect(await finished(odd, 30_000, 'the refusing worker'), odd.output()).toBe(1);
      expect(odd.output()).toMatch(/refuses job .*timeout/s);
      const engine = cli(['worker', '--queue', redis.url, '--engine', 'node'], at);
      expect(await finished(engine, 30_000, 'the worker with another engine'), engine.output()).toBe(1);
      expect(engine.output()).toMatch(/refuses job .*tls/s);
      const good = cli(['worker', '--queue', redis.url], at);
      expect(await finished(coord, 60_000, 'the coordinator'), coord.output()).toBe(0);
      expect(await finished(good, 20_000, 'the worker'), good.output()).toBe(0);
      expect(readOutput(out).length).toBe(256);
    } finally {
      await redis.stop();
    }
  }, 120_000);

  it('a worker whose copy of the blocklist differs refuses the job; one with the same copy completes it', async () => {
    const at = sub('blocklist');
    const elsewhere = sub('blocklist-other-machine');
    writeFileSync(join(at, 'optout.txt'), '# opt-out\n127.72.0.128/25\n');
    writeFileSync(join(elsewhere, 'optout.txt'), '# an older copy\n');
    const redis = await startRedis(at);
    try {
      const out = join(at, 'out.jsonl');
      const coord = cli([...scanArgs(redis.url, out), '--blocklist', 'optout.txt'], at);
      const stale = cli(['worker', '--queue', redis.url], elsewhere);
      expect(await finished(stale, 30_000, 'the worker with another blocklist'), stale.output()).toBe(1);
      expect(stale.output()).toMatch(/refuses job .*optout\.txt differs/s);
      const good = cli(['worker', '--queue', redis.url], at);
      expect(await finished(coord, 60_000, 'the coordinator'), coord.output()).toBe(0);
      expect(await finished(good, 20_000, 'the worker'), good.output()).toBe(0);
      const records = readOutput(out);
      // 127.72.0.128/25 is blocked: only the lower half was probed.
      expect(records.length).toBe(128);
      expect(records.every((r) => Number(r.ip.split('.')[3]) < 128)).toBe(true);
    } finally {
      await redis.stop();
    }
  }, 120_000);

  it('rediss:// (TLS) with the CA in WILDTLS_REDIS_CA; without the CA the certificate is refused (exit 2)', async () => {
    const at = sub('tls');
    const chain = await certificateChain({ leafName: 'redis.queue.wildtls.test', keyType: 'ec' });
    writeFileSync(join(at, 'cert.pem'), chain.leaf.certPem.trim() + '\n' + chain.intermediate.certPem.trim() + '\n');
    writeFileSync(join(at, 'key.pem'), chain.leaf.keyPem, { mode: 0o600 });
    writeFileSync(join(at, 'ca.pem'), chain.root.certPem);
    const port = await freePort();
    const redis = await startRedis(at, ['--tls-port', String(port), '--tls-cert-file', join(at, 'cert.pem'), '--tls-key-file', join(at, 'key.pem'), '--tls-ca-cert-file', join(at, 'ca.pem'), '--tls-auth-clients', 'no']);
    try {
      const url = `rediss://127.0.0.1:${port}/0`;
      const untrusted = cli(['worker', '--queue', url], at);
      expect(await finished(untrusted, 30_000, 'the worker without the CA')).toBe(2);
      expect(untrusted.output()).toMatch(/certificate/i);
      const out = join(at, 'out.jsonl');
      const env = { WILDTLS_REDIS_CA: join(at, 'ca.pem') };
      const coord = cli(scanArgs(url, out), at, env);
      const worker = cli(['worker', '--queue', url], at, env);
      expect(await finished(coord, 60_000, 'the coordinator'), coord.output()).toBe(0);
      expect(await finished(worker, 20_000, 'the worker'), worker.output()).toBe(0);
      expect(readOutput(out).length).toBe(256);
    } finally {
      await redis.stop();
    }
  }, 120_000);

  it('redis-server killed with kill -9 mid-job and started again (appendonly): the job continues, every probe exactly once', async () => {
    const at = sub('restart');
    let redis = await startRedis(at);
    try {
      const out = join(at, 'out.jsonl');
      const coord = cli([...scanArgs(redis.url, out), '--set', 'scan.checkpointInterval=300'].map((a) => (a === '127.72.0.0/24' ? '127.72.0.0/20' : a)), at);
      const workers = [0, 1].map(() => cli(['worker', '--queue', redis.url], at));
      const deadline = Date.now() + 30_000;
      while (readOutput(out).length < 500 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      process.kill(redis.pid, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 1500));
      const during = readOutput(out).length;
      expect(during).toBeLessThan(4096);
      redis = await startRedis(at, [], redis.port);
      expect(await finished(coord, 120_000, 'the coordinator'), coord.output()).toBe(0);
      for (const w of workers) expect(await finished(w, 20_000, 'a worker'), w.output()).toBe(0);
      expect(coord.output() + workers.map((w) => w.output()).join('')).toMatch(/redis connection (error|restored)/);
      const records = readOutput(out);
      expect(duplicates(records).doubled).toEqual([]);
      expect(records.length).toBe(4096);
    } finally {
      await redis.stop();
    }
  }, 180_000);
});
