import type { FlowHandlerFactory, FlowStart } from '../passive/flow.js';
import type { PluginRegistry } from '../plugin/registry.js';
import type { ProbeRecord } from '../record/record-schema.js';
import type { TlsLimits } from '../tls/limits.js';
import type { ServiceSpec } from '../plugin/api.js';
import { WildtlsError } from '../errors.js';
import { FlowFollower, type FollowResult } from './flow-follower.js';
import { passiveRecord } from './passive-record.js';

export interface PassivePortEntry {
  spec: ServiceSpec;
  protocolId: string;
}

/**
 * Which service a server port speaks: every loaded service at its default
 * port, as a scan would probe it, then `servicePorts` (SERVICE -> ports, the
 * scan's `scan.servicePorts`) on top. Where two services share a default port
 * (https and the generic tls on 443), the first loaded keeps it.
 */
export function passivePortMap(registry: PluginRegistry, servicePorts: Record<string, number[]> = {}): Map<number, PassivePortEntry> {
  const map = new Map<number, PassivePortEntry>();
  for (const name of registry.serviceNames()) {
    const { plugin, spec } = registry.service(name);
    if (!map.has(spec.defaultPort)) map.set(spec.defaultPort, { spec, protocolId: plugin.id });
  }
  for (const [name, ports] of Object.entries(servicePorts)) {
    const { plugin, spec } = registry.service(name);
    for (const port of ports) {
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new WildtlsError('WILDTLS_ERR_USAGE', `port ${port} for service ${name} is not a port number`);
      map.set(port, { spec, protocolId: plugin.id });
    }
  }
  return map;
}

export interface PassiveFollowOptions {
  ports: Map<number, PassivePortEntry>;
  /** Replaces the client address in records (default: kept as it is; the command hashes it unless --no-anonymize). */
  clientIp?: (ip: string) => string;
  limits?: TlsLimits;
}

/**
 * The FlowHandlerFactory the capture reader calls per TCP connection: the
 * service by server port, its plugin's passive dialog (none for implicit TLS),
 * then the TLS follower; one record per connection goes to `emit`.
 */
export function createPassiveFlowFactory(opts: PassiveFollowOptions, emit: (record: ProbeRecord) => void): FlowHandlerFactory {
  const clientIp = opts.clientIp ?? ((ip: string) => ip);
  // One record maker per port entry, made when first needed (not a closure and a service object per connection).
  const makers = new Map<PassivePortEntry, (r: FollowResult) => void>();
  const makerOf = (entry: PassivePortEntry): ((r: FollowResult) => void) => {
    let maker = makers.get(entry);
    if (!maker) {
      const service = { name: entry.spec.name, protocolId: entry.protocolId, mode: entry.spec.mode };
      maker = (r) => emit(passiveRecord(r, service, clientIp));
      makers.set(entry, maker);
    }
    return maker;
  };
  return (start: FlowStart) => {
    const entry = opts.ports.get(start.serverPort);
    if (!entry) return undefined;
    const { spec } = entry;
    const dialog = spec.mode === 'starttls' && spec.passive ? spec.passive() : undefined;
    // A STARTTLS service without a passive dialog: nothing to follow before TLS, so nothing is guessed.
    if (spec.mode === 'starttls' && !dialog) return undefined;
    return new FlowFollower(start, dialog, makerOf(entry), opts.limits);
  };
}

/** The ports a factory built from `ports` watches (for the capture reader's filter). */
export function watchedPorts(ports: Map<number, PassivePortEntry>): Set<number> {
  return new Set([...ports.entries()].filter(([, e]) => e.spec.mode === 'implicit' || e.spec.passive).map(([p]) => p));
}
