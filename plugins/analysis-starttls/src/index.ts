/** @wildtls/analysis-starttls: hosts, TLS reached, certificates and noise (Table I), STARTTLS upgraded (Table III), and the funnel beyond them. */
import { createRequire } from 'node:module';
import { defineAnalysisPlugin, passiveExclusionsOption, Type, type PassiveExclusionRule } from '@wildtls/core';
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
    passiveExclusions: passiveExclusionsOption('passive-connections and passive-starttls (Tables II and III)'),
  }, { additionalProperties: false }),
  create: (ctx) => new StartTlsAnalyzer({ version, passiveExclusions: (ctx.options as { passiveExclusions?: PassiveExclusionRule[] } | undefined)?.passiveExclusions }),
});
