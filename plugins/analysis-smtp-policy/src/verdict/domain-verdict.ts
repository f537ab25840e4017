import type { DnssecStatus } from '../dns/secure-resolver.js';
import type { Tlsa, TlsaOutcome } from '../dane/tlsa-match.js';
import type { StsPolicy } from '../parse/sts-policy.js';
import { mxMatches } from '../parse/sts-policy.js';
import type { FetchFailure } from '../sts/policy-fetch.js';

/**
 * A mail domain's transport security as a sending MTA that implements DANE
 * and MTA-STS would see it (RFC 7672, RFC 8461; DANE takes precedence for an
 * MX host with secure TLSA records, RFC 8461 2):
 * - dane / mta-sts-enforce: every MX host that answered is protected against
 *   an active attacker and a sender honouring the policy delivers;
 * - policy-broken: a policy applies but a sender honouring it refuses (or
 *   defers) delivery to at least one MX host;
 * - mta-sts-testing: only a testing policy (reports, no refusal);
 * - opportunistic: STARTTLS without a policy that applies (valid chain or not);
 * - no-starttls: no MX host completed a STARTTLS handshake, and no policy;
 * - unreachable: no MX host of the scan answered.
 */
export const VERDICTS = ['dane', 'mta-sts-enforce', 'policy-broken', 'mta-sts-testing', 'opportunistic', 'no-starttls', 'unreachable'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** What is broken, one cause per kind per domain. */
export const CAUSES = [
  'tlsa-mismatch', 'dane-without-starttls', 'dnssec-bogus', 'dns-error',
  'sts-txt-invalid', 'policy-fetch-no-address', 'policy-fetch-connect', 'policy-fetch-certificate', 'policy-fetch-redirect',
  'policy-fetch-http-status', 'policy-fetch-content-type', 'policy-fetch-too-large', 'policy-fetch-timeout', 'policy-invalid',
  'mx-not-covered', 'certificate-invalid-under-enforce', 'enforce-without-starttls', 'tlsrpt-invalid',
] as const;
export type Cause = (typeof CAUSES)[number];

/** One MX host address of the scan: what its port-25 record says. */
export interface Endpoint {
  host: string;
  /** The server answered (SMTP banner or a STARTTLS reply). */
  answered: boolean;
  /** A STARTTLS handshake completed. */
  tls: boolean;
  /** The chain validates (the scan's roots), host name apart. */
  chainValid: boolean;
  /** The leaf names the MX host. */
  nameMatches: boolean;
  /** TLSA outcome for this chain, when the host's TLSA lookup was secure and had records. */
  tlsa?: TlsaOutcome;
}

export interface HostDns {
  tlsaStatus: DnssecStatus;
  tlsa: Tlsa[];
}

export interface DomainFacts {
  mxStatus: DnssecStatus;
  /** MX host names in the analysis's own MX answer (lower case, no final dot); empty for no MX records. */
  mxNames: string[];
  /** DNS facts per MX host name (lower case). */
  hosts: Map<string, HostDns>;
  endpoints: Endpoint[];
  /** `_mta-sts` TXT. */
  stsTxt: 'absent' | 'valid' | 'invalid' | 'error';
  policy?: { ok: true; policy: StsPolicy } | { ok: false; fetch?: FetchFailure; invalid?: string };
  tlsRpt: 'absent' | 'valid' | 'invalid' | 'error';
}

/** How one MX host address fares under the policy that applies to it. */
export type EndpointMode = 'dane' | 'sts-enforce' | 'sts-testing' | 'none';

export interface DomainVerdict {
  verdict: Verdict;
  causes: Cause[];
  /** Every answering endpoint completed STARTTLS with a chain that validates and names its MX host. */
  validChains: boolean;
  /** Per answering endpoint: the policy applied. */
  modes: EndpointMode[];
}

/**
 * The host name came from a secure answer: the MX answer is secure and names
 * the host (or, with no MX records, the host is the domain's implicit MX).
 */
function secureName(f: DomainFacts, e: Endpoint): boolean {
  return f.mxStatus === 'secure' && (f.mxNames.length === 0 || f.mxNames.includes(e.host));
}

/** DANE applies to a host when its name came from a secure answer and its TLSA answer is secure with usable records. */
function daneApplies(f: DomainFacts, e: Endpoint): boolean {
  const h = f.hosts.get(e.host);
  return secureName(f, e) && h?.tlsaStatus === 'secure' && h.tlsa.length > 0 && e.tlsa?.kind !== 'unusable';
}

export function domainVerdict(f: DomainFacts): DomainVerdict {
  const causes = new Set<Cause>();
  const live = f.endpoints.filter((e) => e.answered);
  const policy = f.policy?.ok ? f.policy.policy : undefined;
  if (f.stsTxt === 'invalid') causes.add('sts-txt-invalid');
  if (f.tlsRpt === 'invalid') causes.add('tlsrpt-invalid');
  if (f.policy && !f.policy.ok) causes.add(f.policy.fetch ? `policy-fetch-${f.policy.fetch}` : 'policy-invalid');
  if (f.mxStatus === 'bogus') causes.add('dnssec-bogus');
  if (f.mxStatus === 'error') causes.add('dns-error');
  const modes: EndpointMode[] = [];
  let refused = false;
  for (const e of live) {
    const h = f.hosts.get(e.host);
    if (h?.tlsaStatus === 'error') causes.add('dns-error');
    if (secureName(f, e) && h?.tlsaStatus === 'bogus') {
      // RFC 7672 2.2: a bogus TLSA answer makes the host unusable.
      causes.add('dnssec-bogus');
      refused = true;
      modes.push('dane');
    } else if (daneApplies(f, e)) {
      modes.push('dane');
      if (!e.tls) causes.add('dane-without-starttls');
      else if (e.tlsa?.kind === 'mismatch') causes.add('tlsa-mismatch');
      else continue;
      refused = true;
    } else if (policy?.mode === 'enforce') {
      modes.push('sts-enforce');
      if (!mxMatches(policy.mx, e.host)) causes.add('mx-not-covered');
      else if (!e.tls) causes.add('enforce-without-starttls');
      else if (!e.chainValid || !e.nameMatches) causes.add('certificate-invalid-under-enforce');
      else continue;
      refused = true;
    } else modes.push(policy?.mode === 'testing' ? 'sts-testing' : 'none');
  }
  const validChains = live.length > 0 && live.every((e) => e.tls && e.chainValid && e.nameMatches);
  const out = (verdict: Verdict): DomainVerdict => ({ verdict, causes: CAUSES.filter((c) => causes.has(c)), validChains, modes });
  if (live.length === 0) return out('unreachable');
  if (f.mxStatus === 'bogus' || refused) return out('policy-broken');
  if (modes.every((m) => m === 'dane')) return out('dane');
  if (modes.every((m) => m === 'dane' || m === 'sts-enforce')) return out('mta-sts-enforce');
  if (policy?.mode === 'testing') return out('mta-sts-testing');
  return out(live.some((e) => e.tls) ? 'opportunistic' : 'no-starttls');
}
