/** @wildtls/analysis-crypto: negotiated TLS parameters (Table IV, Fig. 3 and the study's text figures), weak crypto, OCSP stapling and what the stapled responses say. */
import { createRequire } from 'node:module';
import { defineAnalysisPlugin, passiveExclusionsOption, Type, type PassiveExclusionRule } from '@wildtls/core';
import { CryptoAnalyzer } from './crypto-analyzer.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

export { CryptoAnalyzer } from './crypto-analyzer.js';
export {
  classifySuite, weaknessesOf, BULK_FAMILIES, KEY_EXCHANGE_FAMILIES, WEAKNESSES,
  type BulkFamily, type KeyExchangeFamily, type SuiteClass, type Weakness,
} from './suite-class.js';
export { judgeStapledOcsp, type OcspVerdict } from './ocsp-response.js';

export default defineAnalysisPlugin({
  kind: 'analysis',
  id: 'crypto',
  version,
  api: '^1.2.0',
  description: 'Negotiated protocol versions (Table IV), key exchange and bulk cipher (Fig. 3), forward secrecy, ECDHE curves, DHE prime sizes and OCSP stapling for the whole scan and per service and port, weak crypto, and the status of stapled OCSP responses.',
  configSchema: Type.Object({ passiveExclusions: passiveExclusionsOption('passive-versions and passive-cipher-categories (Table IV observed, Fig. 3 by connections)') }, { additionalProperties: false }),
  create: (ctx) => new CryptoAnalyzer({ version, passiveExclusions: (ctx.options as { passiveExclusions?: PassiveExclusionRule[] } | undefined)?.passiveExclusions }),
});
