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
      // Filled in key order without spreads: one target object per probe, of one shape per kind of input.
      const target: ProbeTarget = { ip: input.ip, port, service: s.service.spec.name };
      if (input.domain) target.domain = input.domain;
      if (input.mailDomain) target.mailDomain = input.mailDomain;
      yield { target, scan: s };
    }
  }
}
