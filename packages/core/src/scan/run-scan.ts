import type { Logger } from 'pino';
import type { ResultBus } from '../bus/result-bus.js';
import type { ResolvedService } from '../plugin/registry.js';
import type { ProbeRecord } from '../record/record-schema.js';
import type { ProbeStatus } from '../record/status.js';
import type { TlsEngine } from '../tls/engine.js';
import type { TargetSource } from '../targets/target-source.js';
import { runProbe, type ProbeSettings } from '../probe/run-probe.js';
import { Semaphore } from './semaphore.js';

export interface ScanService {
  service: ResolvedService;
  /** Ports to probe for this service. */
  ports: number[];
  /** The plugin's options section. */
  options: unknown;
}

export interface ScanSummary {
  targets: number;
  probes: number;
  excluded: number;
  invalid: number;
  byStatus: Partial<Record<ProbeStatus, number>>;
  elapsedMs: number;
  stopped: boolean;
}

export interface RunScanOptions {
  source: TargetSource;
  services: ScanService[];
  engine: TlsEngine;
  bus: ResultBus<ProbeRecord>;
  probe: ProbeSettings;
  concurrency: number;
  logger: Logger;
  /** Admission stops when this aborts; in-flight probes finish. */
  signal?: AbortSignal;
  /** Called when a probe starts; resolves when the rate limiter admits it. */
  admit?: (ip: string) => Promise<void | (() => void)>;
}

/**
 * The scan loop: targets in, one record per (target, port, service) out through
 * the bus. Admission waits for a concurrency slot and for the bus (backpressure),
 * so memory stays bounded whatever the number of targets.
 */
export async function runScan(opts: RunScanOptions): Promise<ScanSummary> {
  const t0 = performance.now();
  const slots = new Semaphore(opts.concurrency);
  const byStatus: Partial<Record<ProbeStatus, number>> = {};
  let targets = 0;
  let probes = 0;
  let publishing: Promise<void> = Promise.resolve();
  let failure: unknown;
  const log = opts.logger.child({ component: 'scan' });

  outer: for await (const input of opts.source.targets()) {
    targets++;
    for (const s of opts.services) {
      if (input.service && input.service !== s.service.spec.name) continue;
      const ports = input.port ? [input.port] : s.ports;
      for (const port of ports) {
        if (opts.signal?.aborted || failure) break outer;
        await slots.acquire();
        const release = await opts.admit?.(input.ip);
        probes++;
        const job = {
          target: { ip: input.ip, port, service: s.service.spec.name, ...(input.domain ? { domain: input.domain } : {}) },
          protocolId: s.service.plugin.id,
          spec: s.service.spec,
          options: s.options,
        };
        void runProbe(job, opts.engine, opts.probe, log)
          .then((record) => {
            release?.();
            byStatus[record.status] = (byStatus[record.status] ?? 0) + 1;
            // Publishing is chained so the bus sees records one at a time; the
            // slot is released only once the bus has accepted the record.
            publishing = publishing.then(() => opts.bus.publish(record)).catch((err) => {
              failure ??= err;
            });
            return publishing;
          })
          .finally(() => slots.release());
      }
    }
  }
  await slots.idle();
  await publishing;
  if (failure) throw failure;
  const stats = opts.source.stats();
  return {
    targets,
    probes,
    excluded: stats.excluded,
    invalid: stats.invalid,
    byStatus,
    elapsedMs: Math.round(performance.now() - t0),
    stopped: Boolean(opts.signal?.aborted),
  };
}
