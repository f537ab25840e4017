import type { ResolvedService } from '../plugin/registry.js';
import type { ProbeTarget } from '../probe/dialog-context.js';
import type { TargetInput } from '../targets/target-source.js';

export interface ScanService {
  service: ResolvedService;
  /** Ports to probe for this service. */
  ports: number[];
  /** The plugin's options section. */
  options: unknown;
}

/** The probes one target input stands for: one per (service, port), in config order. */
export function* expandTarget(input: TargetInput, services: readonly ScanService[]): Generator<{ target: ProbeTarget; scan: ScanService }> {
  const targets: ProbeTarget[] = [];
  const scans: ScanService[] = [];
  const n = probesOf(input, services, targets, scans);
  for (let i = 0; i < n; i++) yield { target: targets[i]!, scan: scans[i]! };
}

/**
 * The scan loop's form of `expandTarget`: the same probes in the same order, written into `targets`
 * and `scans` (the loop's own arrays, overwritten per input); returns how many. No generator, iterator
 * result or pair object per probe, and one function (a helper per target would be one more to compile).
 */
export function probesOf(input: TargetInput, services: readonly ScanService[], targets: ProbeTarget[], scans: ScanService[]): number {
  let n = 0;
  for (let i = 0; i < services.length; i++) {
    const s = services[i]!;
    const service = s.service.spec.name;
    if (input.service && input.service !== service) continue;
    const ports = s.ports;
    const count = input.port ? 1 : ports.length;
    for (let p = 0; p < count; p++) {
      // Filled in key order without spreads: one target object per probe, of one shape per kind of input.
      const target: ProbeTarget = { ip: input.ip, port: input.port || ports[p]!, service };
      if (input.domain) target.domain = input.domain;
      if (input.mailDomain) target.mailDomain = input.mailDomain;
      targets[n] = target;
      scans[n++] = s;
    }
  }
  return n;
}
