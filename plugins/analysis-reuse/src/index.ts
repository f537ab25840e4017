/** @wildtls/analysis-reuse: certificate, public-key and session-ticket-key reuse across IPs (the study's Table VI, Fig. 6 and 7, and beyond). */
import { createRequire } from 'node:module';
import { defineAnalysisPlugin, passiveExclusionsOption, STUDY_PASSIVE_EXCLUSIONS, Type, type Static } from '@wildtls/core';
import { CHAIN_CLASSIFIER, createChainClassifier, type ChainClassifier } from '@wildtls/analysis-ca-practice';
import { ReuseAnalyzer } from './reuse-analyzer.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

export { ReuseAnalyzer, type ReuseAnalyzerOptions } from './reuse-analyzer.js';
// The classifier contract is ca-practice's (it owns validation); re-exported for reuse's users.
export { CHAIN_CLASSIFIER, type ChainClass, type ChainClassifier } from '@wildtls/analysis-ca-practice';

const OptionsSchema = Type.Object(
  {
    topReused: Type.Integer({ minimum: 0, default: 10, description: 'Rows per protocol in Table VI (the most reused certificates, by distinct IPs), and in its ranking over all protocols.' }),
    topInvalid: Type.Integer({ minimum: 0, default: 20, description: 'Rows in the table of the most reused certificates that are not valid (beyond the study).' }),
    worker: Type.Boolean({ default: true, description: "When ca-practice is not loaded: run ca-practice's validator, which reuse then builds, on a worker thread (false: on the analysis thread)." }),
    distribution: Type.Union([Type.Literal('exact'), Type.Literal('log2')], { default: 'exact', description: 'Distribution rows: one per distinct number of IPs (exact), or buckets 1, 2, 3-4, 5-8, ... (log2).' }),
    passiveExclusions: passiveExclusionsOption('passive-reuse, passive-reuse-servers and passive-reuse-connections (Table V per certificate, per server, per connection)'),
  },
  { additionalProperties: false },
);
export type ReuseOptions = Static<typeof OptionsSchema>;

export default defineAnalysisPlugin<Partial<ReuseOptions> | undefined>({
  kind: 'analysis',
  id: 'reuse',
  version,
  api: '^1.2.0',
  description: 'The most reused certificates per protocol (Table VI); the likelihood that a certificate or key is used on X IPs per port, all / valid / self-signed (Fig. 6a-c, 7) and the share of reused certificates that are valid (validity by ca-practice\'s validator); beyond the study: per-service counts, the most reused invalid certificates, session-ticket keys.',
  configSchema: OptionsSchema,
  create: ({ options, params, container }) => {
    // One validator: ca-practice's. Loaded in the run, ca-practice registers it (with its options; when it
    // runs too, each distinct chain is validated once for both); not loaded, reuse builds the same validator
    // from ca-practice's package with ca-practice's defaults.
    const shared = container.isRegistered(CHAIN_CLASSIFIER, true) ? container.resolve<ChainClassifier>(CHAIN_CLASSIFIER) : undefined;
    shared?.runParams?.({ rootsFile: params.rootsFile });
    const worker = options?.worker ?? true;
    const classifier = shared ?? createChainClassifier({ rootsFile: params.rootsFile, workers: worker ? 1 : 0 });
    const anchors = params.rootsFile ? `the roots in ${params.rootsFile}` : "Node's bundled Mozilla root store";
    const classifierName = shared
      ? `the ca-practice validator loaded in this run (its options; trust anchors: ${params.rootsFile ? anchors : "its rootsFile option, or Node's bundled Mozilla root store"})`
      : `the ca-practice validator with its default options${worker ? ' (on a worker thread)' : ''}, trust anchors: ${anchors} (ca-practice is not loaded)`;
    return new ReuseAnalyzer({ version, classifier, classifierName, at: params.at, topReused: options?.topReused ?? 10, topInvalid: options?.topInvalid ?? 20, ownsClassifier: !shared, distribution: options?.distribution ?? 'exact', passiveExclusions: options?.passiveExclusions ?? STUDY_PASSIVE_EXCLUSIONS });
  },
});
