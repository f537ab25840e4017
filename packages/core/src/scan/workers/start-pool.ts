import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import type { WildtlsConfig } from '../../config/core-schema.js';
import type { PluginRegistry } from '../../plugin/registry.js';
import { runProbe, type ProbeJob, type ProbeSettings } from '../../probe/run-probe.js';
import type { ProbeRecord } from '../../record/record-schema.js';
import type { TlsEngine } from '../../tls/engine.js';
import type { ScanService } from '../expand-target.js';
import { AutoProbeRunner } from './auto-workers.js';
import { ProbePool } from './probe-pool.js';
import { WORKER_ENGINES, workerEngine } from './worker-engines.js';

/** How a scan runs its probes: in this thread, in a pool of workers, or in this thread with workers added as they pay. */
export interface ProbeRunner {
  /** What the 'scan starting' log says: the worker threads, or 'auto'. */
  readonly workers: number | 'auto';
  /** undefined: runScan's own (runProbe in this thread). */
  readonly run: ((job: ProbeJob) => Promise<ProbeRecord>) | undefined;
  /** Before the first probe: a fixed pool's workers load their plugins. */
  start(): void | Promise<void>;
  close(): Promise<void>;
  /** Workers that died during the scan. */
  readonly crashes: number;
  /** Workers started during the scan (scan.workers unset). */
  readonly workersAdded: number;
}

/**
 * `scan.workers` set: that many workers from the start (1: this thread only). Unset: this thread,
 * and up to one worker per other core added while the probing threads are saturated and at least
 * `scan.workerMinProbes` probes remain per worker added (auto-workers.ts). `probes`: the number of
 * probes the scan will run, when its source can tell. Workers load only the plugins of the scanned
 * services, from the files this thread loaded them from.
 */
export function probeRunnerFor(
  config: WildtlsConfig,
  registry: PluginRegistry,
  services: ScanService[],
  settings: ProbeSettings,
  engine: TlsEngine,
  logger: Logger,
  probes: number | undefined,
): ProbeRunner {
  const fixed = config.scan.workers;
  if (fixed !== undefined) {
    if (fixed <= 1) return { workers: 1, run: undefined, start: () => {}, close: async () => {}, crashes: 0, workersAdded: 0 };
    const pool = makePool(fixed, config, registry, services, settings, logger);
    return {
      workers: fixed,
      run: (job) => pool.run(job),
      start: () => pool.start(),
      close: () => pool.close(),
      get crashes() {
        return pool.crashes;
      },
      workersAdded: 0,
    };
  }
  const scanLog = logger.child({ component: 'scan' });
  return new AutoProbeRunner({
    // As runScan's own runner: this thread's probes log as the scan's.
    local: (job) => runProbe(job, engine, settings, scanLog),
    makePool: () => makePool(0, config, registry, services, settings, logger),
    // An engine workers cannot build (a plugin's) keeps the scan in this thread, where it runs as before.
    maxWorkers: Object.hasOwn(WORKER_ENGINES, config.tls.engine) ? availableParallelism() - 1 : 0,
    minProbes: config.scan.workerMinProbes,
    total: probes,
    logger: logger.child({ component: 'probe-pool' }),
  });
}

function makePool(size: number, config: WildtlsConfig, registry: PluginRegistry, services: ScanService[], settings: ProbeSettings, logger: Logger): ProbePool {
  workerEngine(config.tls.engine); // fail now, with the usage message, rather than in every worker
  const ids = new Set(services.map((s) => s.service.plugin.id));
  const plugins = registry.loaded.filter((l) => ids.has(l.plugin.id)).map((l) => l.entry);
  const options: Record<string, unknown> = {};
  for (const s of services) options[s.service.plugin.id] = s.options;
  return new ProbePool({
    size,
    setup: { plugins, engine: config.tls.engine, settings, options, log: { level: config.log.level, file: config.log.file, format: config.log.format } },
    logger: logger.child({ component: 'probe-pool' }),
  });
}
