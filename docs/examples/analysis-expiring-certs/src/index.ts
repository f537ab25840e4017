/**
 * wildtls-analysis-expiring-certs: which servers present a certificate that
 * expires within N days (default 30) of the scan, per service. Built from
 * `wildtls plugins new analysis expiring-certs`; kept as the worked example of
 * the plugin authoring guide.
 */
import { createRequire } from 'node:module';
import { defineAnalysisPlugin, Type, type Static } from '@wildtls/core';
import { ExpiringCertsAnalyzer } from './analyzer.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** `options.expiring-certs` in wildtls.config.yaml. */
export const OptionsSchema = Type.Object(
  {
    days: Type.Integer({ minimum: 0, maximum: 3650, default: 30, description: 'Window after the scan time: a certificate whose notAfter falls in it is "expiring".' }),
    services: Type.Array(Type.String(), { default: [], description: 'Only count these services (empty: all).' }),
  },
  { additionalProperties: false },
);
export type ExpiringCertsOptions = Static<typeof OptionsSchema>;

export { ExpiringCertsAnalyzer, classify, type Expiry } from './analyzer.js';

export const plugin = defineAnalysisPlugin<ExpiringCertsOptions>({
  kind: 'analysis',
  id: 'expiring-certs',
  version,
  api: '^1.0.0',
  description: 'Per service: servers whose end-host certificate expires within N days (default 30) of the scan, or has expired',
  configSchema: OptionsSchema,
  create: ({ options, params }) =>
    new ExpiringCertsAnalyzer({ version, services: options?.services ?? [], days: options?.days ?? 30, at: params.at }),
});

export default plugin;
