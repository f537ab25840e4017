import type { ReportTable } from '@wildtls/core';
import { CAUSES, VERDICTS, type DomainVerdict } from '../verdict/domain-verdict.js';

/** One judged domain: its verdict and what it publishes. */
export interface JudgedDomain {
  verdict: DomainVerdict;
  mxHosts: string[];
  mxDnssec: string;
  stsTxt: string;
  policyMode: string;
  tlsRpt: string;
}

const share = (n: number, d: number) => (d ? n / d : 0);

const VERDICT_TEXT: Record<(typeof VERDICTS)[number], string> = {
  dane: 'Protected by DANE',
  'mta-sts-enforce': 'Protected by MTA-STS enforce',
  'policy-broken': 'Policy broken (a sender honouring it refuses or defers)',
  'mta-sts-testing': 'MTA-STS testing only',
  opportunistic: 'Opportunistic only (STARTTLS, no policy)',
  'no-starttls': 'No STARTTLS',
  unreachable: 'No MX host answered',
};

/** The report's tables over the judged domains (none when offline). */
export function policyTables(judged: ReadonlyMap<string, JudgedDomain>, domains: number): ReportTable[] {
  const all = [...judged.values()].map((j) => j.verdict);
  const n = all.length;
  const verdictRows = VERDICTS.map((v) => {
    const c = all.filter((x) => x.verdict === v).length;
    return { verdict: v, description: VERDICT_TEXT[v], domains: c, share: share(c, n) };
  });
  const answered = all.filter((x) => x.verdict !== 'unreachable');
  const protectedN = answered.filter((x) => x.verdict === 'dane' || x.verdict === 'mta-sts-enforce').length;
  const valid = answered.filter((x) => x.validChains).length;
  const starttls = answered.filter((x) => x.verdict !== 'no-starttls').length;
  const validUnprotected = answered.filter((x) => x.validChains && x.verdict !== 'dane' && x.verdict !== 'mta-sts-enforce').length;
  const withCause = all.filter((x) => x.causes.length > 0).length;
  return [
    {
      id: 'domains',
      title: 'Per mail domain: verdict, broken causes, what it publishes',
      columns: [
        { key: 'domain', title: 'Domain', type: 'string' }, { key: 'verdict', title: 'Verdict', type: 'string' }, { key: 'causes', title: 'Broken', type: 'list' },
        { key: 'mx', title: 'MX hosts', type: 'list' }, { key: 'mxDnssec', title: 'MX DNSSEC', type: 'string' }, { key: 'mtaSts', title: 'MTA-STS', type: 'string' },
        { key: 'tlsRpt', title: 'TLS-RPT', type: 'string' }, { key: 'validChains', title: 'Valid chains', type: 'boolean' },
      ],
      rows: [...judged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([domain, j]) => ({
        domain, verdict: j.verdict.verdict, causes: j.verdict.causes, mx: j.mxHosts, mxDnssec: j.mxDnssec, mtaSts: j.policyMode, tlsRpt: j.tlsRpt, validChains: j.verdict.validChains,
      })),
    },
    {
      id: 'verdicts',
      title: `SMTP transport security per mail domain (${n} of ${domains} domains judged)`,
      columns: [{ key: 'verdict', title: 'Verdict', type: 'string' }, { key: 'description', title: 'Meaning', type: 'string' }, { key: 'domains', title: 'Domains', type: 'integer' }, { key: 'share', title: 'Share', type: 'share' }],
      rows: verdictRows,
    },
    {
      id: 'port25-protection',
      title: 'Port 25: a valid chain beside protection against an active attacker (mail domains whose MX hosts answered)',
      columns: [{ key: 'measure', title: 'Measure', type: 'string' }, { key: 'domains', title: 'Domains', type: 'integer' }, { key: 'share', title: 'Share', type: 'share' }],
      rows: [
        { measure: 'STARTTLS completed on at least one MX host', domains: starttls, share: share(starttls, answered.length) },
        { measure: 'Valid chain naming the MX host, on every MX host', domains: valid, share: share(valid, answered.length) },
        { measure: 'Protected against an active attacker (DANE or MTA-STS enforce)', domains: protectedN, share: share(protectedN, answered.length) },
        { measure: 'Valid chain everywhere but not protected', domains: validUnprotected, share: share(validUnprotected, answered.length) },
      ],
    },
    {
      id: 'broken',
      title: `Broken policies by cause (a domain may have several; share of the ${n} judged domains; ${withCause} with any)`,
      columns: [{ key: 'cause', title: 'Cause', type: 'string' }, { key: 'domains', title: 'Domains', type: 'integer' }, { key: 'share', title: 'Share', type: 'share' }],
      rows: CAUSES.map((c) => {
        const k = all.filter((x) => x.causes.includes(c)).length;
        return { cause: c, domains: k, share: share(k, n) };
      }).filter((r) => r.domains > 0),
    },
  ];
}
