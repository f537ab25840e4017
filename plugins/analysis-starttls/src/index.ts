/** @wildtls/analysis-starttls: hosts, TLS reached, certificates and noise (Table I), STARTTLS upgraded (Table III), and the funnel beyond them. */
import { createRequire } from 'node:module';
import { defineAnalysisPlugin, Type } from '@wildtls/core';
import { StartTlsAnalyzer } from './starttls-analyzer.js';
import { DEFAULT_PASSIVE_EXCLUDE_ALPN } from './passive-connections.js';

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
    passiveExcludeAlpn: Type.Array(Type.String({ maxLength: 255 }), {
      default: [...DEFAULT_PASSIVE_EXCLUDE_ALPN],
      maxItems: 256,
      description: 'Passive records only: a connection on a port other than https/tls whose ClientHello offers one of these ALPN protocols is left out of the per-connection tables (the study left out HTTP and push services seen on mail and chat ports, e.g. Apple push on 5223). The report notes list the rule and how many connections it left out. [] keeps every connection.',
    }),
  }, { additionalProperties: false }),
  create: (ctx) => new StartTlsAnalyzer({ version, passiveExcludeAlpn: (ctx.options as { passiveExcludeAlpn?: string[] } | undefined)?.passiveExcludeAlpn ?? [...DEFAULT_PASSIVE_EXCLUDE_ALPN] }),
});
