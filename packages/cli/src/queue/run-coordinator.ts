import { randomBytes } from 'node:crypto';
import {
  ScanProgress,
  WildtlsError,
  createOutputSinks,
  createRunContainer,
  parseRecordLine,
  planTargets,
  prepareOutput,
  scanPlan,
  type PluginRegistry,
  type ProbeStatus,
  type ScanSummary,
  type Sink,
  type StoreSink,
  type WildtlsConfig,
} from '@wildtls/core';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { fingerprintOfParts, fingerprintParts, targetFileHashes } from './job-fingerprint.js';
import { COORDINATOR_GROUP, CURRENT_JOB_KEY, WORKER_GROUP, jobKeys, type ChunkResult, type QueueJob } from './job-keys.js';
import { DoneChunks } from './done-chunks.js';
import { readQueueCheckpoint, writeQueueCheckpoint, type QueueCheckpoint } from './queue-checkpoint.js';
import { connectQueue, redactUrl } from './redis-connection.js';

export interface CoordinatorOptions {
  url: string;
  config: WildtlsConfig;
  registry: PluginRegistry;
  logger: Logger;
  /** Positions per chunk. */
  chunkSize: number;
  leaseMs: number;
  signal: AbortSignal;
  progressStream?: NodeJS.WriteStream;
}

type Entry = [id: string, fields: string[]];

/**
 * `wildtls scan --queue`: plan the scan as a local scan would, publish the
 * job and its chunks, write the records workers send back through the normal
 * sinks (each chunk once), checkpoint, and end when every chunk is in.
 */
export async function runCoordinator(opts: CoordinatorOptions): Promise<ScanSummary> {
  const { config, logger } = opts;
  const scan = config.scan;
  const t0 = performance.now();
  const out = config.output.path;
  const plainFile = out !== '-' && !(config.output.gzip ?? out.endsWith('.gz'));
  const checkpointPath = scan.checkpoint ?? (plainFile ? `${out}.queue-checkpoint` : undefined);
  // Workers rebuild the targets themselves: a stream only this process can read cannot be shared.
  if (scan.input === '-' || scan.source === 'zmap') throw new WildtlsError('WILDTLS_ERR_USAGE', '--queue cannot share targets read from stdin (--input -, --source zmap): write them to a file that every worker can read, and give --input FILE');
  const resume = scan.resume ? readQueueCheckpoint(checkpointPath ?? '(none: give --checkpoint)') : undefined;

  // The plan, exactly as a local scan makes it (services, seed, blocklist, shards), and its total of positions.
  const container = await createRunContainer(config, opts.registry, logger);
  const plan = await planTargets(config, opts.registry, container, { logger });
  await plan.source.prepare?.();
  const positions = await exactTotal(plan.source);
  const sp = scanPlan(config, plan.services, scan.seed!);
  if (resume && resume.planFingerprint !== sp.fingerprint) {
    throw new WildtlsError('WILDTLS_ERR_USAGE', `--resume: the scan plan differs from the checkpoint ${checkpointPath}; resume with the options of the interrupted scan`);
  }
  // As a local scan: a JSONL file is cut back to its checkpointed length, a store loses the records after its checkpointed count; a new scan never writes into an existing store.
  const primary = prepareOutput(config, resume);
  const parts = fingerprintParts(config, opts.registry);
  const redis = await connectQueue(opts.url, { logger });
  const blocking = redis.duplicate();
  let sinks: Sink[] = [];
  try {
    let job: QueueJob;
    if (resume) {
      const meta = await redis.get(jobKeys(resume.job).meta);
      if (!meta) throw new WildtlsError('WILDTLS_ERR_USAGE', `--resume: job ${resume.job} of ${checkpointPath} is not in the Redis at ${redactUrl(opts.url)} (another database, or Redis lost its data); start the scan again without --resume`);
      job = JSON.parse(meta) as QueueJob;
    } else {
      const chunks = Math.max(1, Math.ceil(positions / opts.chunkSize));
      job = {
        version: 1,
        id: `${new Date().toISOString().replace(/[-:]|\.\d+Z$/g, '').replace('T', '-')}-${randomBytes(3).toString('hex')}`,
        createdAt: new Date().toISOString(),
        config,
        plan: sp,
        sourceFingerprint: plan.source.fingerprint?.() ?? scan.source,
        targetFiles: targetFileHashes(config),
        fingerprint: fingerprintOfParts(parts),
        fingerprintParts: parts,
        positions,
        chunkSize: opts.chunkSize,
        chunks,
        rate: scan.rate,
        leaseMs: opts.leaseMs,
      };
      await publish(redis, job);
    }
    const keys = jobKeys(job.id);
    sinks = await createOutputSinks(config, opts.registry, container, logger, { append: primary.append, resumeAt: primary.resumeAt });

    const done = new DoneChunks(resume?.doneBelow ?? 0, resume?.doneAbove ?? []);
    let enqueued = Number((await redis.get(keys.enqueued)) ?? 0);
    const counters = resume?.counters ?? { probes: 0, targets: 0, excluded: 0, invalid: 0, byStatus: {} as Partial<Record<ProbeStatus, number>> };
    const donePositions = () => Math.min(job.positions, done.count * job.chunkSize);
    // Chunks go into Redis a window at a time, as results come in: Redis holds a bounded number whatever the job's size.
    const refill = async () => {
      while (enqueued < job.chunks && enqueued - done.count < CHUNK_WINDOW) enqueued = await enqueue(redis, job, enqueued, CHUNK_WINDOW - (enqueued - done.count));
    };
    let unacked: string[] = [];
    let duplicates = 0;
    const checkpoint = async (complete: boolean) => {
      await Promise.all(sinks.map((s) => s.flush?.()));
      if (checkpointPath && plainFile) {
        const { statSync } = await import('node:fs');
        const output = primary.store ? { path: out, bytes: 0, records: await (sinks[0] as StoreSink).count() } : { path: out, bytes: statSync(out).size };
        const cp: QueueCheckpoint = { version: 1, kind: 'queue', job: job.id, planFingerprint: sp.fingerprint, chunks: job.chunks, doneBelow: done.below, doneAbove: done.extra(), counters, output, complete, updatedAt: new Date().toISOString() };
        writeQueueCheckpoint(checkpointPath, cp);
      }
      // Only now are the results covered: acknowledge (and drop) them.
      if (unacked.length) {
        const ids = unacked;
        unacked = [];
        await redis.xack(keys.results, COORDINATOR_GROUP, ...ids);
        await redis.xdel(keys.results, ...ids);
      }
    };
    await checkpoint(false);
    logger.info({ job: job.id, queue: redactUrl(opts.url), chunks: job.chunks, positions: job.positions, rate: job.rate, resumed: Boolean(resume), done: done.count }, 'queued scan published; waiting for workers');
    const progress = new ScanProgress({
      mode: scan.progress,
      intervalMs: scan.progressInterval,
      format: config.log.format,
      stream: opts.progressStream,
      stats: () => ({ done: donePositions(), total: job.positions, probes: counters.probes, byStatus: counters.byStatus, excluded: counters.excluded }),
    });
    let last = performance.now();
    // Entries delivered before a restart and never acknowledged come first (id 0), then new ones.
    let cursor = '0';
    try {
      while (done.count < job.chunks && !opts.signal.aborted) {
        await refill();
        const read = (await blocking.xreadgroup('GROUP', COORDINATOR_GROUP, 'coordinator', 'COUNT', 32, 'BLOCK', 1000, 'STREAMS', keys.results, cursor)) as Array<[string, Entry[]]> | null;
        const entries = read?.[0]?.[1] ?? [];
        // The pending list is paged by id; once it is empty, read new entries.
        if (cursor !== '>' && entries.length === 0) cursor = '>';
        for (const [id, fields] of entries) {
          if (cursor !== '>') cursor = id;
          unacked.push(id);
          const raw = fields[fields.indexOf('result') + 1];
          if (!raw) continue;
          const result = parseResult(raw, id);
          if (done.has(result.chunk)) {
            duplicates++;
            continue;
          }
          for (const line of result.records.split('\n')) {
            if (!line) continue;
            const record = parseRecordLine(line);
            for (const s of sinks) await s.write(record);
            counters.probes++;
            counters.byStatus[record.status] = (counters.byStatus[record.status] ?? 0) + 1;
          }
          counters.targets += result.targets;
          counters.excluded += result.excluded;
          counters.invalid += result.invalid;
          done.add(result.chunk);
        }
        if (performance.now() - last >= scan.checkpointInterval || done.count === job.chunks) {
          last = performance.now();
          await checkpoint(done.count === job.chunks);
        }
      }
    } finally {
      progress.stop();
    }
    const complete = done.count === job.chunks;
    await checkpoint(complete);
    if (complete) await finish(redis, job);
    if (duplicates) logger.info({ duplicates }, 'chunks that ran twice (a lease ran out) were written once');
    return { targets: counters.targets, probes: counters.probes, excluded: counters.excluded, invalid: counters.invalid, byStatus: { ...counters.byStatus }, elapsedMs: Math.round(performance.now() - t0), stopped: !complete };
  } finally {
    await Promise.all(sinks.map((s) => s.close()));
    blocking.disconnect();
    redis.disconnect();
  }
}

/** Publish a new job: meta and state, the chunks with the workers' group, the results with ours; last, make it current. */
async function publish(redis: Redis, job: QueueJob): Promise<void> {
  const keys = jobKeys(job.id);
  await redis.set(keys.meta, JSON.stringify(job));
  await redis.set(keys.state, 'running');
  await redis.xgroup('CREATE', keys.chunks, WORKER_GROUP, '0', 'MKSTREAM');
  await redis.xgroup('CREATE', keys.results, COORDINATOR_GROUP, '0', 'MKSTREAM');
  await enqueue(redis, job, 0, CHUNK_WINDOW);
  await redis.set(CURRENT_JOB_KEY, job.id);
}

/** Chunks in Redis not yet written: enough for many workers' chunks in flight, small enough for any job size. */
const CHUNK_WINDOW = 256;

/** Add up to `count` chunks from `from` on, and the new count with them (one transaction: they never disagree). Returns the new count. */
async function enqueue(redis: Redis, job: QueueJob, from: number, count: number): Promise<number> {
  const keys = jobKeys(job.id);
  const to = Math.min(job.chunks, from + count);
  const tx = redis.multi();
  for (let k = from; k < to; k++) {
    tx.xadd(keys.chunks, '*', 'chunk', String(k), 'from', String(k * job.chunkSize), 'to', String(Math.min(job.positions, (k + 1) * job.chunkSize)));
  }
  tx.set(keys.enqueued, String(to));
  const res = await tx.exec();
  const failed = res?.find(([err]) => err);
  if (!res || failed) throw new WildtlsError('WILDTLS_ERR_USAGE', `could not enqueue chunks ${from}-${to - 1} of job ${job.id}: ${failed?.[0]?.message ?? 'transaction aborted'}`);
  return to;
}

/** Every chunk is in: workers leave; the job's keys expire in a day (a late worker still sees `done`). */
async function finish(redis: Redis, job: QueueJob): Promise<void> {
  const keys = jobKeys(job.id);
  await redis.set(keys.state, 'done');
  for (const k of Object.values(keys)) await redis.expire(k, 86_400);
  const current = await redis.get(CURRENT_JOB_KEY);
  if (current === job.id) await redis.del(CURRENT_JOB_KEY);
}

/** The number of positions: exact once the stream has started (a range source's walk), so start it and stop at once. */
async function exactTotal(source: import('@wildtls/core').TargetSource): Promise<number> {
  const it = source.targets()[Symbol.asyncIterator]();
  await it.next();
  await it.return?.();
  const total = source.total?.();
  if (total === undefined) throw new WildtlsError('WILDTLS_ERR_USAGE', '--queue needs a target source whose size is known before the scan (addresses, ranges or an input file; not stdin)');
  return total;
}

/** A result message as a worker of this version writes it; anything else stops the coordinator (its checkpoint still allows --resume). */
function parseResult(raw: string, id: string): ChunkResult {
  let r: ChunkResult | undefined;
  try {
    r = JSON.parse(raw) as ChunkResult;
  } catch {
    r = undefined;
  }
  if (!r || !Number.isInteger(r.chunk) || typeof r.records !== 'string') {
    throw new WildtlsError('WILDTLS_ERR_RESULTS_CORRUPT', `result message ${id} is not a chunk result of this wildtls version; stop the workers that sent it, then resume with --resume`);
  }
  return r;
}
