import { ResultBus, recordLine, runScan, type Admit, type PluginRegistry, type ProbeJob, type ProbeRecord, type ProbeSettings, type ScanService, type TargetSource, type TlsEngine } from '@wildtls/core';
import type { Logger } from 'pino';
import type { ChunkRange } from './job-keys.js';

export interface ChunkEnvironment {
  source: TargetSource;
  services: ScanService[];
  engine: TlsEngine;
  probe: ProbeSettings;
  concurrency: number;
  admit: Admit;
  excludes: (ip: string) => boolean;
  /** Runs one probe (undefined: runScan's own, in this thread): the worker's probe runner (probeRunnerFor). */
  run?: (job: ProbeJob) => Promise<ProbeRecord>;
  registry: PluginRegistry;
  logger: Logger;
}

/** The job's target stream cut to [from, to): the same source, started at `from`, stopped at the first position >= to. */
export function chunkSource(source: TargetSource, from: number, to: number): TargetSource {
  return {
    async *targets() {
      for await (const input of source.targets({ from })) {
        if (input.position === undefined) throw new Error('a queued scan needs a target source with positions');
        if (input.position >= to) break;
        yield input;
      }
    },
    stats: () => source.stats(),
  };
}

/**
 * Probe one chunk with the normal probe path (runScan: admission, per-network
 * caps, the global bucket, worker threads) and return its records as JSONL.
 */
export async function runChunk(range: ChunkRange, env: ChunkEnvironment): Promise<{ records: string; targets: number; excluded: number; invalid: number }> {
  const before = env.source.stats();
  const bus = new ResultBus<ProbeRecord>(256);
  const lines: string[] = [];
  bus.subscribe('chunk', (r) => {
    lines.push(recordLine(r));
  });
  const summary = await runScan({
    source: chunkSource(env.source, range.from, range.to),
    services: env.services,
    engine: env.engine,
    bus,
    probe: env.probe,
    concurrency: env.concurrency,
    logger: env.logger,
    admit: env.admit,
    excludes: env.excludes,
    ...(env.run ? { run: env.run } : {}),
  });
  await bus.close();
  const after = env.source.stats();
  return {
    records: lines.length ? lines.join('\n') + '\n' : '',
    targets: summary.targets,
    excluded: after.excluded - before.excluded,
    invalid: after.invalid - before.invalid,
  };
}
