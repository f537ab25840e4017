import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import {
  NetworkLimiter,
  WildtlsError,
  createRunContainer,
  planTargets,
  probeRunnerFor,
  probeSettingsFromConfig,
  type PluginRegistry,
  type WildtlsConfig,
} from '@wildtls/core';
import type { Logger } from 'pino';
import { availableEngines, profileResolver } from '../engines.js';
import { runChunk } from './chunk-run.js';
import { GlobalBucket } from './global-bucket.js';
import { fingerprintOfParts, fingerprintParts, partDifferences, targetFileHashes } from './job-fingerprint.js';
import { CURRENT_JOB_KEY, WORKER_GROUP, jobKeys, type ChunkResult, type QueueJob } from './job-keys.js';
import { connectQueue, redactUrl } from './redis-connection.js';
import { heartbeat, takeChunk } from './take-chunk.js';

export interface WorkerOptions {
  url: string;
  /** The worker's own config (plugins, TLS settings...): must match the job's fingerprint. */
  config: WildtlsConfig;
  registry: PluginRegistry;
  logger: Logger;
  /** How long to wait for a job to be published (ms). */
  waitMs: number;
  signal: AbortSignal;
  /** Chunks in flight at once. */
  lanes: number;
}

export interface WorkerSummary {
  job: string;
  chunks: number;
  reclaimed: number;
  probes: number;
  bucketCalls: number;
}

/**
 * `wildtls worker`: take the current job, check it probes as this worker
 * would, then take chunks under a lease until the job is done. A chunk's
 * records go back in one message, then the chunk is acknowledged: a worker
 * killed between the two runs it again elsewhere, and the coordinator writes
 * the chunk once.
 */
export async function runWorker(opts: WorkerOptions): Promise<WorkerSummary> {
  const { logger } = opts;
  const redis = await connectQueue(opts.url, { logger });
  const blocking = redis.duplicate();
  const consumer = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  try {
    const job = await waitForJob(redis, opts);
    const keys = jobKeys(job.id);
    const mine = fingerprintParts(opts.config, opts.registry);
    if (fingerprintOfParts(mine) !== job.fingerprint) {
      const diff = partDifferences(job.fingerprintParts, mine);
      throw new WildtlsError('WILDTLS_ERR_CONFIG_INVALID', `this worker refuses job ${job.id}: its plugins or probe settings differ from the coordinator's (${diff.join('; ') || 'fingerprint differs'}); start the worker with the coordinator's config and plugins`);
    }
    // The job's config, with this machine's own threads (unset: added as they pay, as in `wildtls scan`) and concurrency.
    const config: WildtlsConfig = { ...job.config, scan: { ...job.config.scan, workers: opts.config.scan.workers, concurrency: opts.config.scan.concurrency, resume: false, checkpoint: undefined } };
    const container = await createRunContainer(config, opts.registry, logger);
    const plan = await planTargets(config, opts.registry, container, { logger });
    await plan.source.prepare?.();
    const fp = plan.source.fingerprint?.() ?? config.scan.source;
    if (fp !== job.sourceFingerprint) {
      throw new WildtlsError('WILDTLS_ERR_CONFIG_INVALID', `this worker refuses job ${job.id}: the target stream it rebuilds differs from the coordinator's (source fingerprint ${fp} != ${job.sourceFingerprint}); give every machine the same input and blocklist files`);
    }
    const files = targetFileHashes(config);
    const differ = Object.keys({ ...job.targetFiles, ...files }).filter((f) => job.targetFiles[f] !== files[f]);
    if (differ.length) {
      throw new WildtlsError('WILDTLS_ERR_CONFIG_INVALID', `this worker refuses job ${job.id}: its copy of ${differ.join(', ')} differs from the coordinator's (sha256 ${differ.map((f) => `${job.targetFiles[f]?.slice(0, 12) ?? 'none'} -> ${files[f]?.slice(0, 12) ?? 'none'}`).join(', ')}); give every machine the same blocklist, allowlist and input files`);
    }
    const engine = availableEngines()[config.tls.engine];
    if (!engine) throw new WildtlsError('WILDTLS_ERR_USAGE', `unknown TLS engine "${config.tls.engine}"`);
    const probe = probeSettingsFromConfig(config, profileResolver());
    // The number of probes a worker will run is not known (it takes chunks as they come): workers join while saturated.
    const runner = probeRunnerFor(config, opts.registry, plan.services, probe, engine, logger, undefined);
    const bucket = new GlobalBucket(redis, keys.bucket, job.rate);
    const networks = new NetworkLimiter(config.scan.perNetworkConcurrency, config.scan.networkPrefix.v4, config.scan.networkPrefix.v6);
    const admit = async (ip: string) => {
      const release = await networks.acquire(ip);
      try {
        await bucket.take();
      } catch (err) {
        release();
        throw err;
      }
      return release;
    };
    const summary: WorkerSummary = { job: job.id, chunks: 0, reclaimed: 0, probes: 0, bucketCalls: 0 };
    logger.info({ job: job.id, consumer, queue: redactUrl(opts.url), jobChunks: job.chunks, rate: job.rate }, 'worker joined the job');
    await runner.start();
    // Several chunks in flight (lanes), so the slow tail of one chunk overlaps the start of the next.
    const perLane = Math.max(1, Math.ceil(config.scan.concurrency / opts.lanes));
    const lane = async () => {
      while (!opts.signal.aborted) {
        if ((await redis.get(keys.state)) !== 'running') break;
        if ((await redis.get(CURRENT_JOB_KEY)) !== job.id) {
          logger.warn({ job: job.id }, 'another job replaced this one (a coordinator started a new scan); this worker leaves');
          break;
        }
        const leased = await takeChunk(redis, blocking, keys.chunks, consumer, job.leaseMs, 1000);
        if (!leased) continue;
        if (leased.reclaimed) {
          summary.reclaimed++;
          logger.info({ chunk: leased.range.chunk }, 'took over a chunk whose lease ran out');
        }
        const beat = setInterval(() => {
          heartbeat(redis, keys.chunks, consumer, leased.id).catch((err: Error) => logger.warn({ err: err.message }, 'lease heartbeat failed'));
        }, Math.max(100, Math.floor(job.leaseMs / 3)));
        let out: Awaited<ReturnType<typeof runChunk>>;
        try {
          out = await runChunk(leased.range, { source: plan.source, services: plan.services, engine, probe, concurrency: perLane, admit, excludes: (ip) => plan.exclusions.excludes(ip), run: runner.run, registry: opts.registry, logger });
        } finally {
          clearInterval(beat);
        }
        const result: ChunkResult = { chunk: leased.range.chunk, worker: consumer, ...out };
        // Records first, acknowledgement second: a crash between them runs the chunk again (the coordinator drops the copy).
        await redis.xadd(keys.results, '*', 'result', JSON.stringify(result));
        await redis.xack(keys.chunks, WORKER_GROUP, leased.id);
        summary.chunks++;
        summary.probes += out.records ? out.records.split('\n').length - 1 : 0;
      }
    };
    try {
      await Promise.all(Array.from({ length: opts.lanes }, lane));
    } finally {
      await runner.close();
    }
    summary.bucketCalls = bucket.calls;
    return summary;
  } finally {
    blocking.disconnect();
    redis.disconnect();
  }
}

async function waitForJob(redis: import('ioredis').Redis, opts: WorkerOptions): Promise<QueueJob> {
  const until = Date.now() + opts.waitMs;
  for (;;) {
    const id = await redis.get(CURRENT_JOB_KEY);
    if (id) {
      const meta = await redis.get(jobKeys(id).meta);
      if (meta) return JSON.parse(meta) as QueueJob;
    }
    if (Date.now() >= until || opts.signal.aborted) {
      throw new WildtlsError('WILDTLS_ERR_NOTHING_SCANNED', `no job was published on ${redactUrl(opts.url)} within ${Math.round(opts.waitMs / 1000)} s; start \`wildtls scan ... --queue\` first (or give a longer --wait)`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
