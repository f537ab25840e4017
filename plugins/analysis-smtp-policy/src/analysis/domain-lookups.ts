import type dnsPacket from 'dns-packet';
import type { Tlsa } from '../dane/tlsa-match.js';
import { parseStsPolicy } from '../parse/sts-policy.js';
import { parseStsTxt, parseTlsRptTxt } from '../parse/txt-records.js';
import type { SecureResolver } from '../dns/secure-resolver.js';
import { fetchPolicy, type FetchSettings } from '../sts/policy-fetch.js';
import type { DomainFacts, HostDns } from '../verdict/domain-verdict.js';

/** The DNS and HTTPS facts of one mail domain, minus the scan's endpoints (the analyzer adds them). */
export type DomainDns = Omit<DomainFacts, 'endpoints'>;

/** Most MX hosts whose TLSA records are looked up per domain (the rest are left without DANE facts). */
const MAX_HOSTS = 16;

const txt = (a: dnsPacket.Answer): string[] | undefined => {
  const d = (a as { data?: unknown }).data;
  if (!Array.isArray(d)) return undefined;
  return d.map((s: Buffer | string) => (typeof s === 'string' ? s : s.toString('latin1')));
};
const tlsa = (a: dnsPacket.Answer): Tlsa | undefined => {
  const d = (a as { data?: { usage: number; selector: number; matchingType: number; certificate: Buffer } }).data;
  return d ? { usage: d.usage, selector: d.selector, matchingType: d.matchingType, data: d.certificate } : undefined;
};
const name = (a: dnsPacket.Answer): string | undefined => {
  const d = (a as { data?: unknown }).data;
  if (typeof d === 'string') return d.toLowerCase().replace(/\.$/, '');
  if (d && typeof d === 'object' && 'exchange' in d) return String((d as { exchange: string }).exchange).toLowerCase().replace(/\.$/, '');
  return undefined;
};

function txtStatus(status: string, empty: boolean, kind: 'absent' | 'valid' | 'invalid'): DomainDns['stsTxt'] {
  if (status === 'error' || status === 'bogus') return 'error';
  return empty ? 'absent' : kind;
}

/**
 * Look up everything policy needs for one domain: the MX RRset's DNSSEC
 * status, TLSA at _25._tcp.<mx> for each MX host the scan reached, the
 * MTA-STS TXT and policy (the policy host resolved through the same
 * resolver), and the TLS-RPT TXT.
 */
export async function lookupDomain(domain: string, scanHosts: readonly string[], resolver: SecureResolver, fetch: FetchSettings): Promise<DomainDns> {
  const [mx, sts, rpt] = await Promise.all([
    resolver.lookup(domain, 'MX', name),
    resolver.lookup(`_mta-sts.${domain}`, 'TXT', txt),
    resolver.lookup(`_smtp._tls.${domain}`, 'TXT', txt),
  ]);
  const hosts = new Map<string, HostDns>();
  await Promise.all(scanHosts.slice(0, MAX_HOSTS).map(async (h) => {
    const t = await resolver.lookup(`_25._tcp.${h}`, 'TLSA', tlsa);
    hosts.set(h, { tlsaStatus: t.status, tlsa: t.records });
  }));
  const stsParsed = parseStsTxt(sts.records);
  const rptParsed = parseTlsRptTxt(rpt.records);
  const out: DomainDns = {
    mxStatus: mx.status,
    mxNames: mx.records,
    hosts,
    stsTxt: txtStatus(sts.status, stsParsed.kind === 'absent', stsParsed.kind === 'absent' ? 'absent' : stsParsed.kind),
    tlsRpt: txtStatus(rpt.status, rptParsed.kind === 'absent', rptParsed.kind === 'absent' ? 'absent' : rptParsed.kind),
  };
  if (out.stsTxt !== 'valid') return out;
  const a = await resolver.lookup(`mta-sts.${domain}`, 'A', name);
  const got = await fetchPolicy(domain, a.records[0], fetch);
  if (!got.ok) out.policy = { ok: false, fetch: got.cause };
  else {
    const p = parseStsPolicy(got.text);
    out.policy = p.ok ? p : { ok: false, invalid: p.why };
  }
  return out;
}
