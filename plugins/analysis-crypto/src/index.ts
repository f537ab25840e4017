/** @wildtls/analysis-crypto: negotiated TLS parameters (Table IV, Fig. 3), groups, DHE sizes, OCSP stapling and what the stapled responses say. */
import { createRequire } from 'node:module';
import { defineAnalysisPlugin, Type } from '@wildtls/core';
import { CryptoAnalyzer } from './crypto-analyzer.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

export { CryptoAnalyzer } from './crypto-analyzer.js';
export { cipherCategory, CIPHER_CATEGORIES, type CipherCategory } from './cipher-category.js';
export { judgeStapledOcsp, type OcspVerdict } from './ocsp-response.js';

export default defineAnalysisPlugin({
  kind: 'analysis',
  id: 'crypto',
  version,
  api: '^1.1.0',
  description: 'Negotiated protocol versions, cipher categories, ECDHE groups, DHE prime sizes, OCSP stapling and the status of stapled responses, per service and port.',
  configSchema: Type.Object({}, { additionalProperties: false }),
  create: () => new CryptoAnalyzer({ version }),
});
