import type { Logger } from 'pino';
import type { WildtlsConfig } from '../../config/core-schema.js';
import type { PluginRegistry } from '../../plugin/registry.js';
import type { ProbeSettings } from '../../probe/run-probe.js';
import type { ScanService } from '../expand-target.js';
import { ProbePool } from './probe-pool.js';
import { workerEngine } from './worker-engines.js';

/** `scan.workers` when set; otherwise the default. */
export function workerCount(config: WildtlsConfig): number {
  return config.scan.workers ?? 1;
}

/**
 * The probe pool of a scan with more than one worker (undefined: probes run in
 * this thread). Workers load only the plugins of the scanned services, from
 * the files this thread loaded them from.
 */
export function probePoolFor(config: WildtlsConfig, registry: PluginRegistry, services: ScanService[], settings: ProbeSettings, logger: Logger): ProbePool | undefined {
  const size = workerCount(config);
  if (size <= 1) return undefined;
  workerEngine(config.tls.engine); // fail now, with the usage message, rather than in every worker
  const ids = new Set(services.map((s) => s.service.plugin.id));
  const plugins = registry.loaded.filter((l) => ids.has(l.plugin.id)).map((l) => l.entry);
  const options: Record<string, unknown> = {};
  for (const s of services) options[s.service.plugin.id] = s.options;
  return new ProbePool({
    size,
    setup: { plugins, engine: config.tls.engine, settings, options, log: { level: config.log.level, file: config.log.file } },
    logger: logger.child({ component: 'probe-pool' }),
  });
}
