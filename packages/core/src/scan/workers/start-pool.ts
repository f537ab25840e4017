import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import type { WildtlsConfig } from '../../config/core-schema.js';
import type { PluginRegistry } from '../../plugin/registry.js';
import type { ProbeJob, ProbeSettings } from '../../probe/run-probe.js';
import type { ProbeRecord } from '../../record/record-schema.js';
import type { ScanService } from '../expand-target.js';
import { AutoProbeRunner } from './auto-workers.js';
import { ProbePool } from './probe-pool.js';
import { WORKER_ENGINES, workerEngine } from './worker-engines.js';

/**
 * With `scan.workers` unset, workers are added during the scan (auto-workers.ts) only while at least
 * this many probes remain per worker added (`scan.workerMinProbes`' default). A worker is a fixed
 * cost: about 0.07 s of CPU to start (core and the plugins loaded again) and about 0.4 s more while
 * its own JIT compiles the hot code and its heap grows (docs/benchmarks.md, "Default worker count"),
 * the CPU of 2,000-3,000 probes.
 */
export const PROBES_PER_WORKER = 8192;

/**
 * The number of worker threads a scan starts with: `scan.workers` when set, else the number of cores
 * but no more than one per PROBES_PER_WORKER probes when the number of probes is known. (`wildtls
 * worker` sizes its pool with it; `wildtls scan` without `scan.workers` adds workers as it goes:
 * probeRunnerFor.)
 */
export function workerCount(config: WildtlsConfig, probes?: number): number {
  if (config.scan.workers !== undefined) return config.scan.workers;
  const cores = availableParallelism();
  if (probes === undefined) return cores;
  return Math.max(1, Math.min(cores, Math.ceil(probes / PROBES_PER_WORKER)));
}

/**
 * The probe pool of a scan with more than one worker (undefined: probes run in
 * this thread). Workers load only the plugins of the scanned services, from
 * the files this thread loaded them from.
 */
export function probePoolFor(config: WildtlsConfig, registry: PluginRegistry, services: ScanService[], settings: ProbeSettings, logger: Logger, targets?: number): ProbePool | undefined {
  const perTarget = services.reduce((n, s) => n + s.ports.length, 0);
  const size = workerCount(config, targets === undefined ? undefined : targets * perTarget);
  if (size <= 1) return undefined;
  return makePool(size, config, registry, services, settings, logger);
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

/** How a scan runs its probes: in this thread, in a pool of workers, or in this thread with workers added as they pay. */
export interface ProbeRunner {
  /** What the 'scan starting' log says: the worker threads, or 'auto'. */
  readonly workers: number | 'auto';
  /** undefined: runScan's own (runProbe in this thread). */
  readonly run: ((job: ProbeJob) => Promise<ProbeRecord>) | undefined;
  /** Before the first probe: a fixed pool's workers load their plugins. */
  start(): Promise<void>;
  close(): Promise<void>;
  /** Workers that died during the scan. */
  readonly crashes: number;
  /** Workers started during the scan (scan.workers unset). */
  readonly workersAdded: number;
}

/**
 * `scan.workers` set: that many workers from the start (1: this thread only). Unset: this thread,
 * and up to one worker per other core added while the probing threads are saturated and at least
 * `scan.workerMinProbes` probes remain per worker added (auto-workers.ts). `probes`: the scan's
 * number of probes, when its source can tell.
 */
export function probeRunnerFor(
  config: WildtlsConfig,
  registry: PluginRegistry,
  services: ScanService[],
  settings: ProbeSettings,
  logger: Logger,
  local: (job: ProbeJob) => Promise<ProbeRecord>,
  probes: number | undefined,
): ProbeRunner {
  const fixed = config.scan.workers;
  if (fixed !== undefined) {
    if (fixed <= 1) return { workers: 1, run: undefined, start: async () => {}, close: async () => {}, crashes: 0, workersAdded: 0 };
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
  // An engine workers cannot build (a plugin's) keeps the scan in this thread, where it runs as before.
  const maxWorkers = Object.hasOwn(WORKER_ENGINES, config.tls.engine) ? availableParallelism() - 1 : 0;
  const auto = new AutoProbeRunner({
    local,
    makePool: () => makePool(0, config, registry, services, settings, logger),
    maxWorkers,
    minProbes: config.scan.workerMinProbes,
    total: probes,
    logger: logger.child({ component: 'probe-pool' }),
  });
  return {
    workers: 'auto',
    run: auto.run,
    start: async () => auto.start(),
    close: () => auto.close(),
    get crashes() {
      return auto.crashes;
    },
    get workersAdded() {
      return auto.workersAdded;
    },
  };
}
