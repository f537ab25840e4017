import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { parseCidr } from '../address-set.js';
import type { Exclusions } from '../blocklist.js';
import { cyclicGroup } from '../cyclic-group.js';
import type { DnsClient } from '../dns/dns-client.js';
import { intToIpv4 } from '../ipv4.js';
import { RangeSpace } from '../range-space.js';
import { SequentialWalk } from '../sequential-walk.js';
import { ShardWalk } from '../shard-walk.js';
import { HOSTNAME, fingerprintOf, normalizeHost, readLines } from '../source-context.js';
import type { TargetInput, TargetSource, TargetSourceStats, TargetStreamOptions } from '../target-source.js';

export interface RangeSourceOptions {
  /** Addresses, CIDR ranges and host names. */
  targets: string[];
  /** A file of more targets ("-" = stdin), read in full before the scan starts. */
  input?: string;
  stdin?: Readable;
  seed: number;
  shards: number;
  shard: number;
  order: 'permuted' | 'sequential';
  exclusions: Exclusions;
  dns?: DnsClient;
  logger: Logger;
}

/**
 * Address ranges visited in a seeded zmap-style permutation (or in order),
 * split into shards; host names are resolved and visited after the ranges,
 * dealt round-robin to the shards. Positions: the walk's steps, then one per
 * host name of this shard. Memory depends on the number of ranges named, not
 * on the number of addresses in them.
 */
export class RangeTargetSource implements TargetSource {
  private excluded = 0;
  private invalid = 0;
  private totalPositions: number | undefined;
  private inputs: { cidrs: string[]; hosts: string[] } | undefined;

  constructor(private readonly opts: RangeSourceOptions) {}

  stats(): TargetSourceStats {
    return { excluded: this.excluded, invalid: this.invalid };
  }

  /**
   * Exact once the stream has started. Before that, once prepared, an upper
   * bound: the addresses in the ranges and the host names, as if this were the
   * only shard (what the scan uses it for up front, the number of probe
   * workers, needs no more).
   */
  total(): number | undefined {
    if (this.totalPositions !== undefined || !this.inputs) return this.totalPositions;
    return new RangeSpace(this.inputs.cidrs).size + this.inputs.hosts.length;
  }

  fingerprint(): string {
    // The inputs as named (not a file's contents): a resume must name the same targets.
    const { seed, shards, shard, order, targets, input } = this.opts;
    return fingerprintOf({ source: 'range', seed, shards, shard, order, targets, input: input ?? null });
  }

  /** Read the targets and input file; split them into ranges and host names. */
  async prepare(): Promise<{ cidrs: string[]; hosts: string[] }> {
    if (this.inputs) return this.inputs;
    const cidrs: string[] = [];
    const hosts = new Set<string>();
    const take = (t: string) => {
      if (parseCidr(t)) cidrs.push(t);
      else if (HOSTNAME.test(t) && /[a-z]/i.test(t)) hosts.add(normalizeHost(t));
      else {
        this.invalid++;
        this.opts.logger.warn({ target: t }, 'not an address, range or host name; skipped');
      }
    };
    this.opts.targets.forEach(take);
    if (this.opts.input) for await (const line of readLines(this.opts.input, this.opts.stdin)) take(line);
    this.inputs = { cidrs, hosts: [...hosts] };
    return this.inputs;
  }

  async *targets(options: TargetStreamOptions = {}): AsyncGenerator<TargetInput> {
    const { cidrs, hosts } = await this.prepare();
    const { seed, shards, shard, exclusions } = this.opts;
    const space = new RangeSpace(cidrs);
    const from = options.from ?? 0;
    const walk = this.opts.order === 'sequential'
      ? new SequentialWalk(space.size, shard, shards, from)
      : new ShardWalk(cyclicGroup(space.size, seed), shard, shards, from);
    const myHosts = hosts.filter((_, i) => i % shards === shard);
    this.totalPositions = walk.steps + myHosts.length;
    for (let idx = walk.next(); idx >= 0; idx = walk.next()) {
      const position = walk.position - 1;
      if (space.isV4(idx)) {
        const n = space.v4At(idx);
        if (exclusions.excludesV4(n)) this.excluded++;
        else yield { ip: intToIpv4(n), position };
      } else {
        const ip = space.v6At(idx);
        if (exclusions.excludes(ip)) this.excluded++;
        else yield { ip, position };
      }
    }
    for (let k = Math.max(0, from - walk.steps); k < myHosts.length; k++) {
      const host = myHosts[k]!;
      const position = walk.steps + k;
      let addresses: string[];
      try {
        if (!this.opts.dns) throw new Error('no DNS client');
        addresses = await this.opts.dns.addresses(host);
      } catch (err) {
        this.invalid++;
        this.opts.logger.warn({ target: host, err: (err as Error).message }, 'host name did not resolve; skipped');
        continue;
      }
      if (addresses.length === 0) {
        this.invalid++;
        this.opts.logger.warn({ target: host }, 'host name has no addresses; skipped');
      }
      for (const ip of addresses) {
        if (exclusions.excludes(ip)) this.excluded++;
        else yield { ip, domain: host, position };
      }
    }
  }
}
