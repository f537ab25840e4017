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
  for (const s of services) {
    if (input.service && input.service !== s.service.spec.name) continue;
    const ports = input.port ? [input.port] : s.ports;
    for (const port of ports) {
      yield { target: targetOf(input, port, s.service.spec.name), scan: s };
    }
  }
}

/**
 * The scan loop's form of `expandTarget`: the same probes in the same order, written into `targets`
 * and `scans` (the loop's own arrays, overwritten per input); returns how many. No generator, iterator
 * result or pair object per probe.
 */
export function probesOf(input: TargetInput, services: readonly ScanService[], targets: ProbeTarget[], scans: ScanService[]): number {
  let n = 0;
  for (let i = 0; i < services.length; i++) {
    const s = services[i]!;
    const name = s.service.spec.name;
    if (input.service && input.service !== name) continue;
    if (input.port) {
      targets[n] = targetOf(input, input.port, name);
      scans[n++] = s;
      continue;
    }
    const ports = s.ports;
    for (let p = 0; p < ports.length; p++) {
      targets[n] = targetOf(input, ports[p]!, name);
      scans[n++] = s;
    }
  }
  return n;
}

/** One probe's target, filled in key order without spreads: one object per probe, of one shape per kind of input. */
function targetOf(input: TargetInput, port: number, service: string): ProbeTarget {
  const target: ProbeTarget = { ip: input.ip, port, service };
  if (input.domain) target.domain = input.domain;
  if (input.mailDomain) target.mailDomain = input.mailDomain;
  return target;
}
