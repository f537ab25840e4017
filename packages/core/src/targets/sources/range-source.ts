import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { Exclusions } from '../blocklist.js';
import { cyclicGroup } from '../cyclic-group.js';
import type { DnsClient } from '../dns/dns-client.js';
import { intToIpv4 } from '../ipv4.js';
import { RangeSpace } from '../range-space.js';
import { SequentialWalk } from '../sequential-walk.js';
import { ShardWalk } from '../shard-walk.js';
import { WildtlsError } from '../../errors.js';
import { fingerprintOf, readLines } from '../source-context.js';
import { parseTarget } from '../target-syntax.js';
import type { TargetInput, TargetSource, TargetSourceStats, TargetStreamOptions } from '../target-source.js';

export interface RangeSourceOptions {
  /** Targets in the syntax of target-syntax.ts: addresses, ranges, host names, with ports or SNI names. */
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

/** Targets with a port or SNI name, and host names (port optional), after reading the inputs. */
interface Prepared {
  cidrs: string[];
  pinned: Array<{ ip: string; port?: number; domain?: string }>;
  hosts: Array<{ host: string; port?: number }>;
}

/** How many invalid targets an error names. */
const NAMED_INVALID = 3;

/**
 * Address ranges visited in a seeded zmap-style permutation (or in order),
 * split into shards; then single addresses with a port or SNI name as given,
 * then host names (resolved when reached), both dealt round-robin to the
 * shards. Positions: the walk's steps, then one per pinned address and one
 * per host name of this shard. Memory depends on the number of ranges named,
 * not on the number of addresses in them. A target that cannot be parsed
 * stops the scan before any probe (a typo must not silently shrink a scan).
 */
export class RangeTargetSource implements TargetSource {
  private excluded = 0;
  private invalid = 0;
  private firstExcluded: string | undefined;
  private totalPositions: number | undefined;
  private inputs: Prepared | undefined;

  constructor(private readonly opts: RangeSourceOptions) {}

  stats(): TargetSourceStats {
    return { excluded: this.excluded, invalid: this.invalid, ...(this.firstExcluded ? { firstExcluded: this.firstExcluded } : {}) };
  }

  /**
   * Exact once the stream has started. Before that, once prepared, an upper
   * bound: the addresses in the ranges and the host names, as if this were the
   * only shard (what the scan uses it for up front, the number of probe
   * workers, needs no more).
   */
  total(): number | undefined {
    if (this.totalPositions !== undefined || !this.inputs) return this.totalPositions;
    return new RangeSpace(this.inputs.cidrs).size + this.inputs.pinned.length + this.inputs.hosts.length;
  }

  fingerprint(): string {
    // The inputs as named (not a file's contents): a resume must name the same targets.
    const { seed, shards, shard, order, targets, input } = this.opts;
    return fingerprintOf({ source: 'range', seed, shards, shard, order, targets, input: input ?? null });
  }

  /** Read the targets and input file and sort them by kind; throws a target error naming the first invalid ones. */
  async prepare(): Promise<Prepared> {
    if (this.inputs) return this.inputs;
    const cidrs: string[] = [];
    const pinned: Prepared['pinned'] = [];
    const hosts = new Map<string, Prepared['hosts'][number]>();
    const invalid: string[] = [];
    let given = 0;
    const take = (t: string, where: string) => {
      given++;
      const parsed = parseTarget(t);
      if (!parsed.ok) {
        if (invalid.length < NAMED_INVALID) invalid.push(`${where} ${JSON.stringify(t.length > 80 ? `${t.slice(0, 80)}...` : t)} (${parsed.reason})`);
        else invalid.push('');
        return;
      }
      const spec = parsed.spec;
      if (spec.kind === 'range') cidrs.push(spec.cidr);
      else if (spec.kind === 'address') pinned.push({ ip: spec.ip, ...(spec.port ? { port: spec.port } : {}), ...(spec.domain ? { domain: spec.domain } : {}) });
      else hosts.set(`${spec.host}:${spec.port ?? ''}`, spec);
    };
    this.opts.targets.forEach((t, i) => take(t, `target ${i + 1}`));
    const input = this.opts.input;
    if (input) {
      let line = 0;
      for await (const t of readLines(input, this.opts.stdin, (n) => (line = n))) take(t, `${input === '-' ? 'stdin' : input}:${line}`);
    }
    if (invalid.length) {
      const more = invalid.length > NAMED_INVALID ? ` and ${invalid.length - NAMED_INVALID} more` : '';
      throw new WildtlsError('WILDTLS_ERR_TARGET', `invalid target${invalid.length > 1 ? 's' : ''}: ${invalid.slice(0, NAMED_INVALID).join('; ')}${more}. Targets are ADDR, CIDR, HOST, ADDR:PORT, [IPv6]:PORT, HOST:PORT or IP,DOMAIN (docs/targets.md); nothing was scanned`);
    }
    if (given === 0) {
      throw new WildtlsError('WILDTLS_ERR_USAGE', input
        ? `no targets in ${input === '-' ? 'stdin' : input} (--input): it has no target lines`
        : 'no targets: give addresses, ranges or host names as arguments (wildtls scan 192.0.2.0/24 -p smtp), or --input FILE ("-" for stdin)');
    }
    this.inputs = { cidrs, pinned, hosts: [...hosts.values()] };
    return this.inputs;
  }

  async *targets(options: TargetStreamOptions = {}): AsyncGenerator<TargetInput> {
    const { cidrs, pinned, hosts } = await this.prepare();
    const { seed, shards, shard, exclusions } = this.opts;
    const space = new RangeSpace(cidrs);
    const from = options.from ?? 0;
    const walk = this.opts.order === 'sequential'
      ? new SequentialWalk(space.size, shard, shards, from)
      : new ShardWalk(cyclicGroup(space.size, seed), shard, shards, from);
    const myPinned = pinned.filter((_, i) => i % shards === shard);
    const myHosts = hosts.filter((_, i) => i % shards === shard);
    this.totalPositions = walk.steps + myPinned.length + myHosts.length;
    for (let idx = walk.next(); idx >= 0; idx = walk.next()) {
      const position = walk.position - 1;
      if (space.isV4(idx)) {
        const n = space.v4At(idx);
        if (exclusions.excludesV4(n)) this.exclude(intToIpv4(n));
        else yield { ip: intToIpv4(n), position };
      } else {
        const ip = space.v6At(idx);
        if (exclusions.excludes(ip)) this.exclude(ip);
        else yield { ip, position };
      }
    }
    for (let k = Math.max(0, from - walk.steps); k < myPinned.length; k++) {
      const target = myPinned[k]!;
      if (exclusions.excludes(target.ip)) this.exclude(target.ip);
      else yield { ...target, position: walk.steps + k };
    }
    const hostsAt = walk.steps + myPinned.length;
    for (let k = Math.max(0, from - hostsAt); k < myHosts.length; k++) {
      const { host, port } = myHosts[k]!;
      const position = hostsAt + k;
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
        if (exclusions.excludes(ip)) this.exclude(ip);
        else yield { ip, domain: host, position, ...(port ? { port } : {}) };
      }
    }
  }

  private exclude(ip: string): void {
    this.excluded++;
    this.firstExcluded ??= ip;
  }
}
