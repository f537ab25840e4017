/** @wildtls/analysis-starttls: hosts, TLS reached, certificates and noise (Table I), STARTTLS upgraded (Table III), and the funnel beyond them. */
import { createRequire } from 'node:module';
import { defineAnalysisPlugin, PassiveExclusionRuleSchema, Type, type PassiveExclusionRule } from '@wildtls/core';
import { StartTlsAnalyzer } from './starttls-analyzer.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

export { StartTlsAnalyzer } from './starttls-analyzer.js';
export { answered, isNoise, portOpen, tlsReached } from './host-state.js';

export default defineAnalysisPlugin({
  kind: 'analysis',
  id: 'starttls',
  version,
  api: '^1.2.0',
  description: 'Per service and port and for the whole scan: hosts with the port open, successful SSL/TLS (TLS reached), unique end-host and intermediate certificates and noise hosts (Table I); STARTTLS supported & upgraded (Table III); the funnel from probed to handshake completed.',
  configSchema: Type.Object({
    // No schema default: the study's rules hold regular expressions, which a default column would print raw.
    passiveExclusions: Type.Optional(Type.Array(PassiveExclusionRuleSchema, {
      maxItems: 64,
      description: 'Passive records only: rules leaving connections out of passive-connections and passive-starttls (Tables II and III), each listed in the passive-exclusions table with how many it left out. Each rule: id, description, and conditions that must all hold (exceptServices, clientAlpnAny, leafSubjectCn, leafIssuerCn; see docs/analyses/starttls.md). Unset: the study\'s two, alpn-http-push (HTTP and push ALPN on ports other than https/tls, e.g. Apple push on 5223) and tor-link-certificate. [] keeps every connection.',
    })),
  }, { additionalProperties: false }),
  create: (ctx) => new StartTlsAnalyzer({ version, passiveExclusions: (ctx.options as { passiveExclusions?: PassiveExclusionRule[] } | undefined)?.passiveExclusions }),
});
