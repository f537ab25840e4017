import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import type { WildtlsConfig } from '../../config/core-schema.js';
import type { PluginRegistry } from '../../plugin/registry.js';
import type { ProbeSettings } from '../../probe/run-probe.js';
import type { ScanService } from '../expand-target.js';
import { ProbePool } from './probe-pool.js';
import { workerEngine } from './worker-engines.js';

/**
 * Without an explicit `scan.workers`, a scan gets at most one worker per this
 * many probes. A worker is a fixed cost: about 0.07 s of CPU to start (core
 * and the plugins loaded again) and about 0.4 s more while its own JIT
 * compiles the hot code and its heap grows; two workers cost 0.7-1.1 s more
 * than the main thread alone at 4,064 and at 12,192 TLS probes
 * (docs/benchmarks.md, "Default worker count"), the CPU of 3,000-5,000
 * probes. A scan of up to 8,192 probes finishes in a few seconds in one
 * thread and would not be much sooner done in two; a larger one gets them.
 */
export const PROBES_PER_WORKER = 8192;

/**
 * `scan.workers` when set; otherwise the number of cores, but no more than
 * one per PROBES_PER_WORKER probes when the number of probes is known.
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
