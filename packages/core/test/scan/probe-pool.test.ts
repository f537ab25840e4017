import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import pino from 'pino';
import { ProbePool, RawTlsEngine, runProbe, type ProbeJob, type ProbeRecord, type ProtocolPlugin, type WorkerSetup } from '@wildtls/core';
import { probeSettings } from '../../../../test/harness/probe-settings.js';

const logger = pino({ level: 'silent' });
const ROOT = resolve(fileURLToPath(import.meta.url), '../../../../..');
const BANNER = resolve(ROOT, 'test/fixtures/targets/banner-plugin.mjs');
const ADDRESSES = Array.from({ length: 12 }, (_, i) => `127.0.55.${10 + i}`);

const settings = probeSettings({ timeouts: { probeMs: 5000 }, maxLineBytes: 1024, maxTotalBytes: 65536, ladder: [{ name: 'study' }] });
const setup = (plugins: string[]): WorkerSetup => ({ plugins, engine: 'raw', settings, options: {}, log: { level: 'silent' } });
/** A record without the fields that depend on when it ran. */
const timeless = ({ startedAt: _s, durationMs: _d, ...rest }: ProbeRecord) => rest;

describe('ProbePool (worker threads, 127.0.55.10-21)', () => {
  const servers: Server[] = [];
  let port = 0;
  let plugin: ProtocolPlugin;
  beforeAll(async () => {
    plugin = ((await import(BANNER)) as { default: ProtocolPlugin }).default;
    for (const [i, ip] of ADDRESSES.entries()) {
      // Every third address says something that is not a banner: a protocol-error record.
      const s = createServer((c) => {
        c.on('error', () => {});
        c.end(i % 3 === 2 ? 'HELLO\r\n' : `220 ${ip}\r\n`);
      });
      s.listen({ host: ip, port });
      await once(s, 'listening');
      port = (s.address() as { port: number }).port;
      servers.push(s);
    }
  });
  afterAll(() => Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r())))));

  const job = (ip: string, p = port): ProbeJob => ({ target: { ip, port: p, service: 'banner' }, protocolId: plugin.id, spec: plugin.services[0]!, options: {} });

  it('runs probes in `size` workers and gives the records runProbe gives in this thread', async () => {
    const pool = new ProbePool({ size: 2, setup: setup([BANNER]), logger });
    try {
      await pool.start();
      // A closed port too: a connection-refused record made in the worker.
      const jobs = [...ADDRESSES.map((ip) => job(ip)), job('127.0.55.22')];
      const got = await Promise.all(jobs.map((j) => pool.run(j)));
      expect(pool.workers).toBe(2);
      const engine = new RawTlsEngine();
      const expected = await Promise.all(jobs.map((j) => runProbe(j, engine, settings, logger)));
      expect(got.map(timeless)).toEqual(expected.map(timeless));
      expect(new Set(got.map((r) => r.status))).toEqual(new Set(['no-starttls', 'protocol-error', 'connect-failed']));
      expect(pool.crashes).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('fails every job with a usage error when a worker cannot load its plugins', async () => {
    const pool = new ProbePool({ size: 2, setup: setup([resolve(ROOT, 'test/fixtures/workers/no-such-plugin.mjs')]), logger });
    try {
      await expect(pool.start()).rejects.toThrow(/probe worker failed to start/);
      await expect(pool.run(job(ADDRESSES[0]!))).rejects.toThrow(/probe worker failed to start/);
      await expect(pool.run(job(ADDRESSES[1]!))).rejects.toThrow(/--workers 1/);
    } finally {
      await pool.close();
    }
  });

  it('grows by workers that take jobs once ready, and reports how busy each ready one was', async () => {
    // A pool of none, grown during a scan (scan.workers unset: auto-workers.ts).
    const pool = new ProbePool({ size: 0, setup: setup([BANNER]), logger });
    try {
      await pool.start();
      expect(pool.workers).toBe(0);
      expect(pool.readyLoad()).toBe(Infinity);
      pool.grow(1);
      expect(pool.workers).toBe(1);
      expect(pool.starting).toBe(1);
      expect(pool.readyLoad()).toBe(Infinity);
      expect(pool.utilization()).toEqual([]);
      const until = Date.now() + 20_000;
      while (pool.starting > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      expect(pool.starting).toBe(0);
      expect(pool.readyLoad()).toBe(0);
      // The first reading sets the baseline; the next one says how busy the worker was since.
      expect(pool.utilization()).toEqual([]);
      const running = pool.run(job(ADDRESSES[0]!));
      expect(pool.readyLoad()).toBe(1);
      expect((await running).status).toBe('no-starttls');
      expect(pool.readyLoad()).toBe(0);
      const busy = pool.utilization();
      expect(busy).toHaveLength(1);
      expect(busy[0]).toBeGreaterThan(0);
      expect(busy[0]).toBeLessThanOrEqual(1);
      expect(pool.failure).toBeUndefined();
    } finally {
      await pool.close();
    }
  });

  it('says why it failed when a grown worker cannot load its plugins', async () => {
    const pool = new ProbePool({ size: 0, setup: setup([resolve(ROOT, 'test/fixtures/workers/no-such-plugin.mjs')]), logger });
    try {
      pool.grow(1);
      const until = Date.now() + 20_000;
      while (pool.failure === undefined && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      expect(pool.failure?.message).toMatch(/probe worker failed to start/);
      expect(pool.readyLoad()).toBe(Infinity);
    } finally {
      await pool.close();
    }
  });
});
