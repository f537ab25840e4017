import { randomInt } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { DependencyContainer } from 'tsyringe';
import type { Logger } from 'pino';
import type { WildtlsConfig } from '../config/core-schema.js';
import { WildtlsError } from '../errors.js';
import type { PluginRegistry } from '../plugin/registry.js';
import type { ProbeTarget } from '../probe/dialog-context.js';
import { Exclusions } from '../targets/blocklist.js';
import { BUILTIN_TARGET_SOURCES } from '../targets/builtin-sources.js';
import { DnsClient } from '../targets/dns/dns-client.js';
import { NoDnsClient } from '../targets/dns/no-dns.js';
import { TARGET_TOKENS } from '../targets/source-context.js';
import type { TargetSource, TargetSourceStats } from '../targets/target-source.js';
import { expandTarget, type ScanService } from './expand-target.js';

/** The services a scan probes, with their ports and plugin options. */
export function buildServices(config: WildtlsConfig, registry: PluginRegistry): ScanService[] {
  const scan = config.scan;
  if (scan.protocols.length === 0) {
    throw new WildtlsError('WILDTLS_ERR_USAGE', `no protocol to scan: give --protocol (one of ${registry.serviceNames().sort().join(', ')}) or scan.protocols in the config`);
  }
  for (const name of Object.keys(scan.servicePorts)) {
    if (!scan.protocols.includes(name)) throw new WildtlsError('WILDTLS_ERR_USAGE', `scan.servicePorts names "${name}", which is not among the scanned protocols (${scan.protocols.join(', ')})`);
  }
  return scan.protocols.map((name) => {
    const service = registry.service(name);
    return {
      service,
      ports: scan.servicePorts[name]?.length ? scan.servicePorts[name]! : scan.ports.length ? scan.ports : [service.spec.defaultPort],
      options: (config.options as Record<string, unknown>)[service.plugin.id] ?? {},
    };
  });
}

/** Fill in a seed when none is given (recorded in the checkpoint and the log), and check the shard. */
export function settleSeed(config: WildtlsConfig, fromCheckpoint?: number): number {
  const scan = config.scan;
  if (scan.shard >= scan.shards) throw new WildtlsError('WILDTLS_ERR_USAGE', `--shard ${scan.shard} is out of range: shards are numbered 0..${scan.shards - 1}`);
  if (scan.seed !== undefined && fromCheckpoint !== undefined && scan.seed !== fromCheckpoint) {
    throw new WildtlsError('WILDTLS_ERR_USAGE', `--seed ${scan.seed} differs from the checkpoint's seed ${fromCheckpoint}; resume with the same seed (or none)`);
  }
  scan.seed ??= fromCheckpoint ?? randomInt(2 ** 47);
  return scan.seed;
}

export interface TargetEnvironment {
  logger: Logger;
  stdin?: Readable;
  /** False: send no DNS query; host names and domains are skipped (counted invalid) and listed by the plan's notResolved(). Default true. */
  resolve?: boolean;
}

/** Register the blocklist, DNS client and stdin for target sources; returns the blocklist. */
export function registerTargetServices(config: WildtlsConfig, container: DependencyContainer, env: TargetEnvironment): Exclusions {
  const scan = config.scan;
  const exclusions = new Exclusions({ allow: scan.allow, blocklistFiles: scan.blocklist, allowlistFile: scan.allowlist });
  const d = scan.dns;
  const dns =
    env.resolve === false
      ? new NoDnsClient()
      : new DnsClient(
          { servers: d.servers, rate: d.rate, concurrency: d.concurrency, timeoutMs: d.timeout, tries: d.tries, cacheSize: d.cacheSize, maxTtlMs: d.maxTtl, ipv6: d.ipv6 },
          env.logger.child({ component: 'dns' }),
        );
  container.register(TARGET_TOKENS.Exclusions, { useValue: exclusions });
  container.register(TARGET_TOKENS.Dns, { useValue: dns });
  if (env.stdin) container.register(TARGET_TOKENS.Stdin, { useValue: env.stdin });
  return exclusions;
}

/** The target source named by `scan.source`: a built-in, or a loaded target-source plugin. */
export async function createTargetSource(config: WildtlsConfig, registry: PluginRegistry, container: DependencyContainer, logger: Logger): Promise<TargetSource> {
  const id = config.scan.source;
  const plugin = BUILTIN_TARGET_SOURCES.find((p) => p.id === id) ?? registry.targetSources().find((p) => p.id === id);
  if (!plugin) {
    const known = [...BUILTIN_TARGET_SOURCES, ...registry.targetSources()].map((p) => p.id).join(', ');
    throw new WildtlsError('WILDTLS_ERR_USAGE', `unknown target source "${id}" (scan.source); available: ${known}`);
  }
  const scan = { ...config.scan, services: config.scan.protocols };
  return plugin.create({ options: (config.options as Record<string, unknown>)[plugin.id] ?? {}, logger: logger.child({ source: id }), container, scan });
}

export interface TargetPlan {
  source: TargetSource;
  services: ScanService[];
  exclusions: Exclusions;
  /** Probe targets in scan order, after blocklists and sharding; nothing is sent. */
  probes(): AsyncGenerator<ProbeTarget>;
  stats(): TargetSourceStats & { targets: number; probes: number };
  /** Host names and domains left unresolved because the plan was made with `resolve: false`. */
  notResolved(): string[];
}

/** What `wildtls targets` prints: the scan's target stream without connecting to anything. */
export async function planTargets(config: WildtlsConfig, registry: PluginRegistry, container: DependencyContainer, env: TargetEnvironment): Promise<TargetPlan> {
  const services = buildServices(config, registry);
  settleSeed(config);
  const exclusions = registerTargetServices(config, container, env);
  const dns = container.resolve<DnsClient>(TARGET_TOKENS.Dns);
  const source = await createTargetSource(config, registry, container, env.logger);
  let targets = 0;
  let probes = 0;
  return {
    source,
    services,
    exclusions,
    async *probes() {
      for await (const input of source.targets()) {
        targets++;
        for (const { target } of expandTarget(input, services)) {
          probes++;
          yield target;
        }
      }
    },
    stats: () => ({ ...source.stats(), targets, probes }),
    notResolved: () => (dns instanceof NoDnsClient ? [...dns.asked] : []),
  };
}
