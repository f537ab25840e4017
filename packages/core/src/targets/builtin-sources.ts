import type { Logger } from 'pino';
import type { DependencyContainer } from 'tsyringe';
import type { ScanSettings } from '../config/core-schema.js';
import { defineTargetSourcePlugin, PLUGIN_API_VERSION, type TargetSourcePlugin } from '../plugin/api.js';
import { DnsClient, DEFAULT_DNS } from './dns/dns-client.js';
import { DomainTargetSource } from './sources/domain-source.js';
import { RangeTargetSource } from './sources/range-source.js';
import { ZmapTargetSource } from './sources/zmap-source.js';
import { TARGET_TOKENS } from './source-context.js';

/** The scan settings a source sees, plus the scan's service names (the kernel adds them). */
type SourceScan = ScanSettings & { seed: number; services?: string[] };

function deps(container: DependencyContainer, logger: Logger) {
  const exclusions = container.resolve(TARGET_TOKENS.Exclusions);
  const dns = container.isRegistered(TARGET_TOKENS.Dns, true) ? container.resolve(TARGET_TOKENS.Dns) : new DnsClient(DEFAULT_DNS, logger);
  const stdin = container.isRegistered(TARGET_TOKENS.Stdin, true) ? container.resolve(TARGET_TOKENS.Stdin) : process.stdin;
  return { exclusions, dns, stdin };
}

const base = { kind: 'target-source' as const, version: '0.1.0', api: `^${PLUGIN_API_VERSION}` };

export const rangeSource = defineTargetSourcePlugin({
  ...base,
  id: 'cidr',
  description: 'Addresses, CIDR ranges (IPv4, small IPv6) and host names, inline or from a file/stdin, in a seeded permutation.',
  create({ scan, container, logger }) {
    const s = scan as SourceScan;
    const { exclusions, dns, stdin } = deps(container, logger);
    return new RangeTargetSource({ targets: s.targets, input: s.input, stdin, seed: s.seed, shards: s.shards, shard: s.shard, order: s.order, exclusions, dns, logger });
  },
});

export const ipv4AllSource = defineTargetSourcePlugin({
  ...base,
  id: 'ipv4-all',
  description: 'The whole IPv4 space (minus the blocklists), streamed in a seeded permutation.',
  create({ scan, container, logger }) {
    const s = scan as SourceScan;
    const { exclusions } = deps(container, logger);
    return new RangeTargetSource({ targets: ['0.0.0.0/0'], seed: s.seed, shards: s.shards, shard: s.shard, order: s.order, exclusions, logger });
  },
});

export const zmapSource = defineTargetSourcePlugin({
  ...base,
  id: 'zmap',
  description: 'zmap output on stdin (or --input): one address per line, or CSV with a header (port from sport).',
  create({ scan, container, logger }) {
    const s = scan as SourceScan;
    const { exclusions, stdin } = deps(container, logger);
    return new ZmapTargetSource({ input: s.input, stdin, shards: s.shards, shard: s.shard, exclusions, logger });
  },
});

export const domainSource = defineTargetSourcePlugin({
  ...base,
  id: 'domains',
  description: 'Domain lists (one per line or rank,domain CSV): A/AAAA, and MX first for SMTP; the host name travels with the target.',
  create({ scan, container, logger }) {
    const s = scan as SourceScan;
    const { exclusions, dns, stdin } = deps(container, logger);
    return new DomainTargetSource({
      targets: s.targets,
      input: s.input,
      stdin,
      shards: s.shards,
      shard: s.shard,
      services: s.services ?? s.protocols,
      mxServices: s.dns.mxServices,
      lookahead: s.dns.concurrency,
      exclusions,
      dns,
      logger,
    });
  },
});

/** Target sources shipped inside core, chosen with `scan.source`. */
export const BUILTIN_TARGET_SOURCES: readonly TargetSourcePlugin[] = [rangeSource, ipv4AllSource, zmapSource, domainSource];
