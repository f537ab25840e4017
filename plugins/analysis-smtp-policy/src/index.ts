/** @wildtls/analysis-smtp-policy: DANE, MTA-STS and TLS-RPT per mail domain of a domain scan, so a valid chain stops standing in for "protected". */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { WildtlsError, defineAnalysisPlugin, Type, type Static } from '@wildtls/core';
import { ChainService, loadTrustStore } from '@wildtls/analysis-ca-practice';
import { PolicyAnalyzer } from './analysis/policy-analyzer.js';
import { SecureResolver, parseServer } from './dns/secure-resolver.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

export { matchTlsa, type Tlsa, type TlsaOutcome } from './dane/tlsa-match.js';
export { parseStsPolicy, mxMatches, type StsPolicy } from './parse/sts-policy.js';
export { parseStsTxt, parseTlsRptTxt } from './parse/txt-records.js';
export { SecureResolver, parseServer, type DnssecStatus, type Lookup, type ResolverSettings } from './dns/secure-resolver.js';
export { domainVerdict, VERDICTS, CAUSES, type Verdict, type Cause, type DomainFacts } from './verdict/domain-verdict.js';

const OptionsSchema = Type.Object(
  {
    resolver: Type.Optional(Type.String({ description: 'Validating DNS resolver (ip or ip:port) whose AD bit is trusted for DNSSEC; analyze --dns-server overrides it. Without one the analysis runs offline and gives no verdicts.' })),
    timeoutMs: Type.Integer({ minimum: 100, maximum: 60000, default: 3000, description: 'Deadline of one DNS query (one retry over UDP).' }),
    fetchTimeoutMs: Type.Integer({ minimum: 100, maximum: 120000, default: 10000, description: 'Deadline of one MTA-STS policy fetch.' }),
    maxPolicyBytes: Type.Integer({ minimum: 1024, maximum: 1048576, default: 65536, description: 'Size cap of an MTA-STS policy (RFC 8461 suggests 64 KiB).' }),
    queryRate: Type.Integer({ minimum: 1, maximum: 10000, default: 200, description: 'Most DNS queries per second.' }),
    concurrency: Type.Integer({ minimum: 1, maximum: 256, default: 16, description: 'Mail domains looked up at once.' }),
    maxQueries: Type.Integer({ minimum: 1, default: 1000000, description: 'Most DNS queries in one analysis.' }),
    maxDomains: Type.Integer({ minimum: 1, default: 100000, description: 'Most mail domains looked up; the rest are counted only.' }),
  },
  { additionalProperties: false },
);
export type SmtpPolicyOptions = Static<typeof OptionsSchema>;

export default defineAnalysisPlugin<Partial<SmtpPolicyOptions> | undefined>({
  kind: 'analysis',
  id: 'smtp-policy',
  version,
  api: '^1.2.0',
  description: 'SMTP transport security per mail domain of a --source domains scan: DANE (TLSA under DNSSEC through a validating resolver), MTA-STS (TXT and policy over HTTPS) and TLS-RPT; a verdict per domain (DANE before MTA-STS, RFC 8461), port 25 valid chains beside protection against an active attacker, broken policies by cause. Offline without a resolver.',
  configSchema: OptionsSchema,
  create: ({ options, params }) => {
    const o = options ?? {};
    const text = (params.dnsServer as string | undefined) ?? o.resolver;
    const server = text === undefined ? undefined : parseServer(text);
    if (text !== undefined && !server) throw new WildtlsError('WILDTLS_ERR_USAGE', `smtp-policy: resolver ${JSON.stringify(text)} is not an address or address:port`);
    let ca: string | undefined;
    try {
      ca = params.rootsFile ? readFileSync(params.rootsFile, 'utf8') : undefined;
    } catch (err) {
      throw new WildtlsError('WILDTLS_ERR_USAGE', `smtp-policy: cannot read the trust anchors in ${params.rootsFile}: ${(err as Error).message}`, { cause: err });
    }
    // Built only when there is something to judge: offline, no trust store is loaded.
    const chains = () => new ChainService({ store: loadTrustStore(params.rootsFile), profile: 'openssl', strictAnchors: false, maxIntermediates: 8, maxSignatureChecks: 64, maxValidityDays: 1185, useScanIntermediates: false });
    const resolver = server && new SecureResolver({ server, timeoutMs: o.timeoutMs ?? 3000, concurrency: 32, rate: o.queryRate ?? 200, maxQueries: o.maxQueries ?? 1_000_000, cacheSize: 100_000 });
    return new PolicyAnalyzer({
      version,
      ...(resolver ? { resolver } : {}),
      fetch: { ...(ca ? { ca } : {}), timeoutMs: o.fetchTimeoutMs ?? 10000, maxBytes: o.maxPolicyBytes ?? 65536 },
      chains,
      ...(params.at ? { at: params.at } : {}),
      concurrency: o.concurrency ?? 16,
      maxDomains: o.maxDomains ?? 100_000,
    });
  },
});
