import type { Analyzer, ProbeRecord, Report, StoreQuery } from '@wildtls/core';
import { ChainService } from '@wildtls/analysis-ca-practice';
import { matchTlsa } from '../dane/tlsa-match.js';
import type { SecureResolver } from '../dns/secure-resolver.js';
import type { FetchSettings } from '../sts/policy-fetch.js';
import { domainVerdict, type Endpoint } from '../verdict/domain-verdict.js';
import { lookupDomain, type DomainDns } from './domain-lookups.js';
import { policyTables, type JudgedDomain } from './policy-tables.js';

export interface PolicyAnalyzerOptions {
  version: string;
  /** Undefined: offline, no verdicts. */
  resolver?: SecureResolver;
  fetch: FetchSettings;
  /** Makes ca-practice's validator (the run's roots, openssl profile); called once, when there is a domain to judge. */
  chains: () => ChainService;
  at?: Date;
  /** Mail domains analysed at once. */
  concurrency: number;
  /** Most mail domains looked up; the rest are counted, not judged. */
  maxDomains: number;
}

interface Seen {
  host: string;
  answered: boolean;
  tls: boolean;
  chain: string[];
  at: number;
}

/** Port-25 records of a domain scan, grouped by mail domain; DNS and HTTPS lookups at finish(), bounded. */
export class PolicyAnalyzer implements Analyzer {
  private readonly domains = new Map<string, Seen[]>();
  private records = 0;
  private internalErrors = 0;
  private withoutMailDomain = 0;
  private readonly servers = new Set<string>();
  private validator: ChainService | undefined;
  /** One copy of each distinct chain: many mail domains share a few MX hosts. */
  private readonly chains = new Map<string, string[]>();

  constructor(private readonly o: PolicyAnalyzerOptions) {}

  consume(r: ProbeRecord): void {
    this.records++;
    if (r.status === 'internal-error') return void this.internalErrors++;
    if (r.service !== 'smtp' || r.port !== 25) return;
    const mail = (r as { mailDomain?: string }).mailDomain;
    if (!mail || !r.domain) return void this.withoutMailDomain++;
    this.servers.add(`${r.ip}:${r.port}`);
    const list = this.domains.get(mail.toLowerCase()) ?? [];
    list.push({
      host: r.domain.toLowerCase().replace(/\.$/, ''),
      answered: r.banner !== undefined || r.starttls !== undefined || (r.bytesReceived ?? 0) > 0,
      tls: r.tls?.completed === true,
      chain: this.intern(r.tls?.chain ?? []),
      at: this.o.at?.getTime() ?? (Date.parse(r.startedAt) || Date.now()),
    });
    this.domains.set(mail.toLowerCase(), list);
  }

  /**
   * A whole store: only the port-25 SMTP records can count (consume drops
   * every other one after counting it), so DuckDB picks those by the
   * records table's columns (they hold the record's own ip, port and
   * service); of them, those whose mailDomain or domain is falsy in the
   * JSON are only counted there (withoutMailDomain), and the rest alone are
   * restored and go through consume(), in write order (consume still makes
   * the call on each of them, so the SQL test may only ever be narrower than
   * consume's, never wider). Passive records are none of its concern
   * (consume reads them as any other).
   */
  async analyzeStore(store: StoreQuery): Promise<Report> {
    const smtp25 = "service = 'smtp' AND port = 25 AND status IS DISTINCT FROM 'internal-error'";
    const without = `(${falsy('mail_domain', '$.mailDomain')} OR ${falsy('domain', '$.domain')})`;
    const [all] = await store.all<{ records: number; internal: number; without: number }>(
      `SELECT count(*) AS records, count(*) FILTER (WHERE status = 'internal-error') AS internal,
         count(*) FILTER (WHERE ${smtp25} AND ${without}) AS without FROM records`,
    );
    for await (const r of store.records(`${smtp25} AND NOT ${without}`)) this.consume(r);
    this.records = all!.records;
    this.internalErrors = all!.internal;
    this.withoutMailDomain += all!.without;
    return this.finish();
  }

  private intern(chain: string[]): string[] {
    const key = ChainService.chainHash(chain);
    const hit = this.chains.get(key);
    if (hit) return hit;
    this.chains.set(key, chain);
    return chain;
  }

  private endpoint(mail: string, s: Seen, dns: DomainDns | undefined): Endpoint {
    let chainValid = false;
    let nameMatches = false;
    if (s.tls && s.chain.length) {
      this.validator ??= this.o.chains();
      const e = this.validator.verdict(s.chain, s.at);
      chainValid = e.errors.length === 0;
      nameMatches = ChainService.hostMatches(e, { kind: 'dns', value: s.host });
    }
    const h = dns?.hosts.get(s.host);
    const der = s.chain.map((c) => Buffer.from(c, 'base64'));
    const tlsa = h && h.tlsaStatus === 'secure' && h.tlsa.length ? matchTlsa(h.tlsa, der, [s.host, mail]) : undefined;
    return { host: s.host, answered: s.answered, tls: s.tls, chainValid, nameMatches, ...(tlsa ? { tlsa } : {}) };
  }

  async finish(): Promise<Report> {
    const names = [...this.domains.keys()].sort();
    const judged = this.o.resolver ? names.slice(0, this.o.maxDomains) : [];
    const verdicts = new Map<string, JudgedDomain>();
    const queue = [...judged];
    const worker = async () => {
      for (let d = queue.shift(); d !== undefined; d = queue.shift()) {
        const seen = this.domains.get(d)!;
        const dns = await lookupDomain(d, [...new Set(seen.map((s) => s.host))], this.o.resolver!, this.o.fetch);
        const verdict = domainVerdict({ ...dns, endpoints: seen.map((s) => this.endpoint(d, s, dns)) });
        verdicts.set(d, { verdict, mxHosts: [...new Set(seen.map((s) => s.host))], mxDnssec: dns.mxStatus, stsTxt: dns.stsTxt, policyMode: policyMode(dns), tlsRpt: dns.tlsRpt });
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.o.concurrency, queue.length) }, worker));
    const notes: string[] = [
      'Counting rule: per mail domain (a domain of the list whose MX hosts were scanned on port 25); a domain is protected when every MX host address that answered is covered by DANE or an MTA-STS enforce policy that a sender honouring it would accept.',
    ];
    if (!this.o.resolver) notes.push('Offline: no validating resolver configured (analyze --dns-server, or options.smtp-policy.resolver): no DANE, MTA-STS or TLS-RPT lookups were made and no verdicts are given.');
    if (this.withoutMailDomain) notes.push(`${this.withoutMailDomain} port-25 SMTP records carry no mail domain (not a --source domains scan) and are left out.`);
    if (this.o.resolver && names.length > judged.length) notes.push(`${names.length - judged.length} mail domains beyond the cap of ${this.o.maxDomains} were not looked up.`);
    if (this.o.resolver) notes.push(`${this.o.resolver.queries} DNS queries.`);
    return {
      analysis: { id: 'smtp-policy', version: this.o.version },
      countingRule: 'per-host',
      totals: { records: this.records, servers: this.servers.size, internalErrors: this.internalErrors, mailDomains: names.length, judged: verdicts.size },
      tables: policyTables(verdicts, names.length),
      notes,
    };
  }
}

/**
 * SQL: the record's value is falsy in JavaScript (absent, null, false, 0, ""). The column holds it
 * when it is a string; only when it is not is the JSON read, once (the store's JSON is
 * JSON.stringify's, so a zero is written as a number that casts to 0).
 */
function falsy(column: string, path: string): string {
  const v = `json_extract(record, '${path}')::VARCHAR`;
  return `(${column} = '' OR (${column} IS NULL AND (${v} IS NULL OR ${v} IN ('null', 'false') OR TRY_CAST(${v} AS DOUBLE) = 0)))`;
}

/** The MTA-STS column: the policy's mode, why there is none, or the TXT record's state. */
function policyMode(dns: DomainDns): string {
  if (dns.policy?.ok) return dns.policy.policy.mode;
  if (dns.policy) return dns.policy.fetch ? `fetch failed: ${dns.policy.fetch}` : 'invalid policy';
  return dns.stsTxt === 'valid' ? 'no policy' : `TXT ${dns.stsTxt}`;
}
