/** @wildtls/analysis-reuse: certificate, public-key and session-ticket-key reuse across IPs (Fig. 6 and 7, Table VI, and beyond). */
import { createRequire } from 'node:module';
import { defineAnalysisPlugin, Type, type Static } from '@wildtls/core';
import { CHAIN_CLASSIFIER, RootStoreClassifier, readPemCertificates, type ChainClassifier } from './chain-classifier.js';
import { WorkerClassifier } from './worker-classifier.js';
import { ReuseAnalyzer } from './reuse-analyzer.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

export { ReuseAnalyzer, type ReuseAnalyzerOptions } from './reuse-analyzer.js';
export { CHAIN_CLASSIFIER, RootStoreClassifier, type ChainClass, type ChainClassifier } from './chain-classifier.js';
export { WorkerClassifier } from './worker-classifier.js';

const OptionsSchema = Type.Object(
  {
    topInvalid: Type.Integer({ minimum: 0, default: 20, description: 'Rows in the table of the most reused invalid certificates.' }),
    worker: Type.Boolean({ default: true, description: 'Run the fallback validator (used when ca-practice is not loaded) in a worker thread.' }),
    distribution: Type.Union([Type.Literal('exact'), Type.Literal('log2')], { default: 'exact', description: 'Distribution rows: one per distinct number of IPs (exact), or buckets 1, 2, 3-4, 5-8, ... (log2).' }),
  },
  { additionalProperties: false },
);
export type ReuseOptions = Static<typeof OptionsSchema>;

export default defineAnalysisPlugin<Partial<ReuseOptions> | undefined>({
  kind: 'analysis',
  id: 'reuse',
  version,
  api: '^1.0.0',
  description: 'Certificates, public keys and session-ticket keys by the number of distinct IPs they appear on, per service; valid and self-signed splits; the most reused invalid certificates.',
  configSchema: OptionsSchema,
  create: ({ options, params, container }) => {
    // ca-practice owns validation; when it is loaded it registers a classifier (and its --roots/--at).
    const shared = container.isRegistered(CHAIN_CLASSIFIER, true) ? container.resolve<ChainClassifier>(CHAIN_CLASSIFIER) : undefined;
    const worker = options?.worker ?? true;
    let classifier = shared;
    if (!classifier) {
      const roots = params.rootsFile ? readPemCertificates(params.rootsFile) : undefined;
      classifier = worker ? new WorkerClassifier(roots) : new RootStoreClassifier(roots);
    }
    const classifierName = shared
      ? 'the ca-practice validator'
      : `fallback signature-path check${worker ? ' (in a worker thread)' : ''} to ${params.rootsFile ? `the roots in ${params.rootsFile}` : "Node's bundled Mozilla root store"} (no basicConstraints, key usage or name checks; load analysis-ca-practice for full validation)`;
    return new ReuseAnalyzer({ version, classifier, classifierName, at: params.at, topInvalid: options?.topInvalid ?? 20, ownsClassifier: !shared, distribution: options?.distribution ?? 'exact' });
  },
});
