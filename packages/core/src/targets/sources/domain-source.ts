import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { WildtlsError } from '../../errors.js';
import type { Exclusions } from '../blocklist.js';
import type { DnsClient } from '../dns/dns-client.js';
import { HOSTNAME, fingerprintOf, normalizeHost, readLines } from '../source-context.js';
import { parsePort } from '../target-syntax.js';
import type { TargetInput, TargetSource, TargetSourceStats, TargetStreamOptions } from '../target-source.js';

export interface DomainSourceOptions {
  /** Domains given inline. */
  targets: string[];
  /** Domain list: one per line or "rank,domain" CSV (Alexa/Tranco top lists); "-" = stdin. */
  input?: string;
  stdin?: Readable;
  shards: number;
  shard: number;
  /** Every service of the scan. */
  services: string[];
  /** Services reached through MX records (SMTP relay on port 25). */
  mxServices: string[];
  /** Domains resolved ahead of the scan, in parallel (order is kept). */
  lookahead: number;
  exclusions: Exclusions;
  dns: DnsClient;
  logger: Logger;
}

/**
 * Domain lists. For MX services the domain's MX hosts are resolved first, in
 * preference order (no MX: the domain itself, as RFC 5321 says), then their
 * addresses; the MX host name travels with the target (it is the name the
 * server's certificate should carry). Other services use the domain's own
 * A/AAAA. Line k goes to shard k mod N; position: the domain's line index.
 */
export class DomainTargetSource implements TargetSource {
  private excluded = 0;
  private invalid = 0;

  constructor(private readonly opts: DomainSourceOptions) {}

  stats(): TargetSourceStats {
    return { excluded: this.excluded, invalid: this.invalid };
  }

  fingerprint(): string {
    const { targets, input, shards, shard, services, mxServices } = this.opts;
    return fingerprintOf({ source: 'domains', targets, input: input ?? null, shards, shard, services, mxServices });
  }

  async *targets(options: TargetStreamOptions = {}): AsyncGenerator<TargetInput> {
    if (!this.opts.targets.length && !this.opts.input) {
      throw new WildtlsError('WILDTLS_ERR_USAGE', 'no domains: give them as arguments, or --input FILE (one per line or rank,domain; "-" for stdin)');
    }
    const from = options.from ?? 0;
    const window: Array<Promise<TargetInput[]>> = [];
    let index = -1;
    for await (const line of this.lines()) {
      const parsed = parseDomainEntry(line);
      if (parsed === null) continue; // a header line
      const [domain, port] = parsed;
      index++;
      if (index % this.opts.shards !== this.opts.shard) continue;
      const position = Math.floor(index / this.opts.shards);
      if (position < from) continue;
      if (!domain) {
        this.invalid++;
        this.opts.logger.warn({ line: line.slice(0, 100) }, 'domain list: not a domain name; skipped');
        continue;
      }
      window.push(this.expand(domain, position, port));
      if (window.length >= this.opts.lookahead) yield* await window.shift()!;
    }
    while (window.length) yield* await window.shift()!;
  }

  private async *lines(): AsyncGenerator<string> {
    yield* this.opts.targets;
    if (this.opts.input) yield* readLines(this.opts.input, this.opts.stdin);
  }

  /** Every target of one domain; never throws (a failed lookup counts as invalid). */
  private async expand(domain: string, position: number, port: number | undefined): Promise<TargetInput[]> {
    const { services, mxServices, dns } = this.opts;
    const viaMx = services.filter((s) => mxServices.includes(s));
    const direct = services.filter((s) => !mxServices.includes(s));
    const out: TargetInput[] = [];
    const seen = new Set<string>();
    const add = (ip: string, name: string, service: string | undefined) => {
      const key = `${ip} ${name} ${service}`;
      if (seen.has(key)) return;
      seen.add(key);
      if (this.opts.exclusions.excludes(ip)) this.excluded++;
      else out.push({ ip, domain: name, position, ...(service ? { service } : {}), ...(port ? { port } : {}), ...(viaMx.includes(service ?? '') ? { mailDomain: domain } : {}) });
    };
    try {
      if (viaMx.length) {
        const mx = await dns.mx(domain);
        const hosts = mx.length ? mx.map((m) => m.exchange).filter((h) => h && h !== '.') : [domain];
        for (const host of hosts) {
          for (const ip of await dns.addresses(host)) for (const s of viaMx) add(ip, host, s);
        }
      }
      if (direct.length) {
        const addresses = await dns.addresses(domain);
        for (const ip of addresses) {
          if (viaMx.length) for (const s of direct) add(ip, domain, s);
          else add(ip, domain, undefined);
        }
      }
    } catch (err) {
      this.invalid++;
      this.opts.logger.warn({ domain, err: (err as Error).message }, 'domain did not resolve; skipped');
      return [];
    }
    if (out.length === 0 && seen.size === 0) {
      this.invalid++;
      this.opts.logger.debug({ domain }, 'domain has no addresses');
    }
    return out;
  }
}

/** "example.org", "1,example.org" or "1,example.org,..." -> the domain; null for a header; "" when malformed. */
export function parseDomainLine(line: string): string | null {
  const entry = parseDomainEntry(line);
  return entry && entry[0];
}

/**
 * A domain list line with an optional port ("example.org:8443", "1,example.org:8443"):
 * [domain, port]; null for a header; ["", undefined] when malformed.
 */
export function parseDomainEntry(line: string): [string, number | undefined] | null {
  const fields = line.split(',').map((f) => f.trim());
  let name = fields[0]!;
  if (fields.length > 1 && /^\d+$/.test(fields[0]!)) name = fields[1]!;
  else if (fields.length > 1 && /^(rank|#|id)$/i.test(fields[0]!)) return null;
  let port: number | undefined;
  const colon = name.indexOf(':');
  if (colon >= 0) {
    port = parsePort(name.slice(colon + 1));
    if (port === undefined) return ['', undefined];
    name = name.slice(0, colon);
  }
  if (!HOSTNAME.test(name) || !/[a-z]/i.test(name)) return ['', undefined];
  return [normalizeHost(name), port];
}
