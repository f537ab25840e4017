/** @wildtls/analysis-starttls: STARTTLS support and certificates seen (Tables I and III). */
import { createRequire } from 'node:module';
import { defineAnalysisPlugin, Type } from '@wildtls/core';
import { StartTlsAnalyzer } from './starttls-analyzer.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

export { StartTlsAnalyzer } from './starttls-analyzer.js';

export default defineAnalysisPlugin({
  kind: 'analysis',
  id: 'starttls',
  version,
  api: '^1.0.0',
  description: 'Per service and port: servers that answered, offered STARTTLS, had it accepted (upgraded), negotiated TLS (ServerHello) and completed the handshake; end-host and intermediate certificates, total and unique.',
  configSchema: Type.Object({}, { additionalProperties: false }),
  create: () => new StartTlsAnalyzer({ version }),
});
