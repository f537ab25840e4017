/** @wildtls/analysis-sasl: SASL mechanisms after TLS (the study's Tables VIII-XI) and before STARTTLS (Tables XII-XIII). */
import { createRequire } from 'node:module';
import { defineAnalysisPlugin, passiveExclusionsOption, Type, type Static } from '@wildtls/core';
import { DEFAULT_PLAINTEXT_MECHANISMS, SaslAnalyzer } from './sasl-analyzer.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

export { SaslAnalyzer, DEFAULT_PLAINTEXT_MECHANISMS, type SaslAnalyzerOptions } from './sasl-analyzer.js';

const OptionsSchema = Type.Object(
  {
    plaintextMechanisms: Type.Array(Type.String(), { default: DEFAULT_PLAINTEXT_MECHANISMS, description: 'Mechanisms that send the password in the clear.' }),
    topCombinations: Type.Integer({ minimum: 0, default: 0, description: 'List only the N most frequent combinations per service and port (0 = all).' }),
    passiveExclusions: passiveExclusionsOption('the passive rows of Tables XII-XIII and sasl-client-mechanisms'),
  },
  { additionalProperties: false },
);
export type SaslOptions = Static<typeof OptionsSchema>;

export default defineAnalysisPlugin<Partial<SaslOptions> | undefined>({
  kind: 'analysis',
  id: 'sasl',
  version,
  api: '^1.2.0',
  description: 'Per service and port: SASL mechanisms and ordered combinations offered after TLS (Tables VIII-XI) and before STARTTLS (Tables XII-XIII, by server; by connection for passive records), plaintext and CRAM/SCRAM shares, IMAP LOGINDISABLED.',
  configSchema: OptionsSchema,
  create: ({ options }) => new SaslAnalyzer({ version, plaintextMechanisms: options?.plaintextMechanisms, topCombinations: options?.topCombinations, passiveExclusions: options?.passiveExclusions }),
});
