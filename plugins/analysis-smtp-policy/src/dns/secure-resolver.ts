import type dnsPacket from 'dns-packet';
import { query, type DnsAnswer, type Server } from './dns-transport.js';

/**
 * DNSSEC status of an answer from a validating resolver (trusted only
 * because the user named it, as Postfix trusts its resolver's AD bit):
 * secure: AD set; insecure: answered without AD; bogus: SERVFAIL with CD=0
 * but an answer with CD=1 (validation failed, the data exists); error: no
 * usable answer either way (timeout, SERVFAIL with CD=1 too, REFUSED...).
 */
export type DnssecStatus = 'secure' | 'insecure' | 'bogus' | 'error';

export interface Lookup<T> {
  status: DnssecStatus;
  /** Records of the asked type (empty for NXDOMAIN/NODATA, bogus and error). */
  records: T[];
  /** NXDOMAIN or NODATA. */
  empty: boolean;
  why?: string;
}

export interface ResolverSettings {
  server: Server;
  timeoutMs: number;
  /** Queries in flight at once. */
  concurrency: number;
  /** Most queries per second. */
  rate: number;
  /** Most queries in the whole analysis; later lookups are errors. */
  maxQueries: number;
  /** Cache entries kept (cleared when full). */
  cacheSize: number;
}

/** TTL bounds for the cache: an answer lives at least this long in one analysis and at most an hour. */
const MIN_TTL = 5;
const MAX_TTL = 3600;

export class SecureResolver {
  private readonly cache = new Map<string, { until: number; value: Lookup<unknown> }>();
  private readonly inflight = new Map<string, Promise<Lookup<unknown>>>();
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private nextSlot = 0;
  queries = 0;

  constructor(private readonly s: ResolverSettings) {}

  /** Records of `type` at `name` with their DNSSEC status; never throws. */
  async lookup<T>(name: string, type: string, pick: (a: dnsPacket.Answer) => T | undefined): Promise<Lookup<T>> {
    const key = `${name.toLowerCase()}|${type}`;
    const hit = this.cache.get(key);
    if (hit && hit.until > Date.now()) return hit.value as Lookup<T>;
    let p = this.inflight.get(key);
    if (!p) {
      p = this.resolve(name, type, pick as (a: dnsPacket.Answer) => unknown).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p as Promise<Lookup<T>>;
  }

  private async resolve(name: string, type: string, pick: (a: dnsPacket.Answer) => unknown): Promise<Lookup<unknown>> {
    const key = `${name.toLowerCase()}|${type}`;
    const first = await this.ask(name, type, false);
    let value: Lookup<unknown>;
    let ttl = MIN_TTL;
    if (first instanceof Error) value = { status: 'error', records: [], empty: false, why: first.message };
    else if (first.rcode === 'SERVFAIL') {
      const cd = await this.ask(name, type, true);
      const answered = !(cd instanceof Error) && (cd.rcode === 'NOERROR' || cd.rcode === 'NXDOMAIN');
      value = answered ? { status: 'bogus', records: [], empty: false, why: 'SERVFAIL with validation, an answer without it' } : { status: 'error', records: [], empty: false, why: cd instanceof Error ? cd.message : `SERVFAIL, then ${cd.rcode} with CD` };
    } else if (first.rcode === 'NOERROR' || first.rcode === 'NXDOMAIN') {
      const records = first.answers.filter((a) => a.type === type).map(pick).filter((r) => r !== undefined);
      value = { status: first.ad ? 'secure' : 'insecure', records, empty: records.length === 0 };
      ttl = ttlOf(first);
    } else value = { status: 'error', records: [], empty: false, why: first.rcode };
    if (this.cache.size >= this.s.cacheSize) this.cache.clear();
    this.cache.set(key, { until: Date.now() + ttl * 1000, value });
    return value;
  }

  /** One query under the concurrency, rate and total caps. */
  private async ask(name: string, type: string, cd: boolean): Promise<DnsAnswer | Error> {
    if (this.queries >= this.s.maxQueries) return new Error(`query cap reached (${this.s.maxQueries})`);
    this.queries++;
    if (this.active >= this.s.concurrency) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      const now = Date.now();
      const slot = Math.max(now, this.nextSlot);
      this.nextSlot = slot + 1000 / this.s.rate;
      if (slot > now) await new Promise((r) => setTimeout(r, slot - now));
      return await query(this.s.server, name, type, cd, this.s.timeoutMs);
    } catch (err) {
      return err as Error;
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/** Cache life: the smallest TTL of the answer (or the negative TTL of the SOA), bounded. */
function ttlOf(a: DnsAnswer): number {
  const ttls = (a.answers.length ? a.answers : a.authorities).map((r) => (r as { ttl?: number }).ttl ?? MIN_TTL);
  const t = ttls.length ? Math.min(...ttls) : MIN_TTL;
  return Math.min(MAX_TTL, Math.max(MIN_TTL, t));
}

/** Parse "host", "host:port", "[v6]:port" or "v6" (port 53 by default). */
export function parseServer(text: string): Server | undefined {
  const v6 = /^\[([0-9a-f:.]+)\](?::(\d{1,5}))?$/i.exec(text);
  if (v6) return { host: v6[1]!, port: Number(v6[2] ?? 53) };
  if (/^[0-9a-f:]+$/i.test(text) && text.includes('::')) return { host: text, port: 53 };
  const m = /^([0-9.]+)(?::(\d{1,5}))?$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[2] ?? 53);
  return port >= 1 && port <= 65535 ? { host: m[1]!, port } : undefined;
}
