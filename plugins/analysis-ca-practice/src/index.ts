/** @wildtls/analysis-ca-practice: chain validity against a root store, and CA practice (the study's Fig. 4). */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { WildtlsError, defineAnalysisPlugin, passiveExclusionsOption, Type, type Static } from '@wildtls/core';
import { loadTrustStore, type TrustStore } from './roots/trust-store.js';
import { CaPracticeAnalyzer } from './analysis/ca-analyzer.js';
import { ChainService } from './analysis/chain-service.js';
import type { PlainSettings } from './analysis/service-settings.js';
import type { VerdictSource } from './analysis/verdict-source.js';
import { WorkerPool } from './analysis/worker-pool.js';
import { SharedClassifier, CHAIN_CLASSIFIER, type ChainClassifier } from './analysis/shared-classifier.js';
import { PROFILES, type Profile } from './validate/profile-verdict.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

export { CaPracticeAnalyzer, type CaAnalyzerOptions } from './analysis/ca-analyzer.js';
export { ChainService, type ChainEntry, type ServiceSettings } from './analysis/chain-service.js';
export { VALIDITY_CLASSES, ERROR_CLASS, type ValidityClass, type ValidationError } from './validate/errors.js';
export { PRACTICE_FLAGS, type PracticeFlag } from './practice/practice-flags.js';
export { PROFILES, type Profile } from './validate/profile-verdict.js';
export { X509_V_TEXT } from './openssl/verify-errors.js';
export { loadTrustStore, type TrustStore } from './roots/trust-store.js';
export { WorkerPool } from './analysis/worker-pool.js';
export type { VerdictSource, SourceStats } from './analysis/verdict-source.js';
export { CHAIN_CLASSIFIER, SharedClassifier, chainClassOf, type ChainClass, type ChainClassifier, type ChainExplanation } from './analysis/shared-classifier.js';

const OptionsSchema = Type.Object(
  {
    profile: Type.Union([Type.Literal('openssl'), Type.Literal('strict'), Type.Literal('webpki')], {
      default: 'openssl',
      description: "Which rules make a chain valid: openssl (what `openssl verify -auth_level 1 -purpose sslserver` says, the study's method; host names reported apart), strict (RFC 5280 and certificate profile rules, host names included) or webpki (strict plus weak digests and over-long leaf validity). --validity-profile overrides it.",
    }),
    rootsFile: Type.Optional(Type.String({ description: "PEM bundle of trust anchors (default: Node's bundled Mozilla root store). --roots overrides it." })),
    maxValidityDays: Type.Integer({ minimum: 1, default: 1185, description: 'Leaf validity above this many days is flagged long-validity, and is the error validity-too-long under the webpki profile (default 39 months, the CA/B limit of the study period).' }),
    checkHostnames: Type.Boolean({ default: true, description: 'Check the leaf against the record\'s domain when it has one.' }),
    passiveExclusions: passiveExclusionsOption('passive-chains, passive-primary-error and passive-primary-error-connections (Fig. 5 per server and by connections)'),
    useScanIntermediates: Type.Boolean({ default: true, description: 'Tell missing intermediates (completable from other chains in the scan) from unknown issuers.' }),
    strictAnchors: Type.Boolean({ default: false, description: 'Apply the extension profile rules (AKI form, SKI, critical basicConstraints) to trust anchors too; off by default because a few Mozilla roots break them.' }),
    maxIntermediates: Type.Integer({ minimum: 0, maximum: 16, default: 8, description: 'Most intermediates on a path (self-issued ones not counted).' }),
    maxSignatureChecks: Type.Integer({ minimum: 1, maximum: 10000, default: 64, description: 'Most signature checks while building paths for one chain.' }),
    workers: Type.Optional(Type.Integer({ minimum: 0, maximum: 16, description: 'Worker threads validating distinct chains (0: on the analysis thread). Default: one when the machine has two or more cores.' })),
  },
  { additionalProperties: false },
);
export type CaPracticeOptions = Static<typeof OptionsSchema>;

type Opts = Partial<CaPracticeOptions> | undefined;

function loadRoots(rootsFile: string | undefined): TrustStore {
  try {
    return loadTrustStore(rootsFile);
  } catch (err) {
    throw new WildtlsError('WILDTLS_ERR_USAGE', `ca-practice: cannot use the trust anchors in ${rootsFile}: ${(err as Error).message}`, { cause: err });
  }
}

function profileOf(options: Opts, param: unknown): Profile {
  const p = param ?? options?.profile ?? 'openssl';
  if (!(PROFILES as readonly unknown[]).includes(p)) throw new WildtlsError('WILDTLS_ERR_USAGE', `ca-practice: unknown validity profile ${JSON.stringify(p)} (one of ${PROFILES.join(', ')})`);
  return p as Profile;
}

function settings(options: Opts, rootsFile: string | undefined, profile: Profile): PlainSettings {
  return {
    profile,
    rootsFile: rootsFile ?? options?.rootsFile,
    strictAnchors: options?.strictAnchors ?? false,
    maxIntermediates: options?.maxIntermediates ?? 8,
    maxSignatureChecks: options?.maxSignatureChecks ?? 64,
    maxValidityDays: options?.maxValidityDays ?? 1185,
    useScanIntermediates: options?.useScanIntermediates ?? true,
  };
}

function defaultWorkers(options: Opts): number {
  return options?.workers ?? (availableParallelism() > 1 ? 1 : 0);
}

/**
 * The validator on `workers` threads, or on this one; the store is loaded here first so a bad roots file fails
 * with a clear error, not in a worker. `retain` false: it keeps no verdicts, and of those settle() may change no chain (the store path, which hands them back).
 */
function verdictSource(plain: PlainSettings, workers: number, retain = true): VerdictSource {
  const store = loadRoots(plain.rootsFile);
  const { rootsFile: _file, ...rest } = plain;
  // Keeping no verdicts (the store path, which stores them), the validator keeps no chains either: settle() reads them back.
  return workers > 0 ? new WorkerPool(plain, workers, retain, !retain) : new ChainService({ ...rest, store }, retain, !retain);
}

/**
 * ca-practice's validator for another analysis in a run without ca-practice
 * (the reuse analysis builds it, so that there is one validator): the same
 * settings and defaults as this analysis (`options` as under
 * `options.ca-practice`), the anchors of `rootsFile` (default: Node's bundled
 * Mozilla store), on `workers` threads (default 0: the caller's thread).
 * Classes as {@link chainClassOf}. Throws WILDTLS_ERR_USAGE for an unusable
 * roots file. Whoever creates it closes it.
 */
export function createChainClassifier(o: { options?: Opts; rootsFile?: string; workers?: number } = {}): ChainClassifier & { close(): Promise<void> } {
  const service = verdictSource(settings(o.options, o.rootsFile, profileOf(o.options, undefined)), o.workers ?? 0);
  const shared = new SharedClassifier(() => service);
  return { classify: (chain, at) => shared.classify(chain, at), classifyOnce: (chain, at) => shared.classifyOnce(chain, at), close: () => service.close() };
}

export default defineAnalysisPlugin<Opts>({
  kind: 'analysis',
  id: 'ca-practice',
  version,
  api: '^1.2.0',
  description: "Validates each distinct certificate chain against the Mozilla root store as `openssl verify` would (the study's method; strict and webpki profiles on request): every error per chain (Fig. 4), OpenSSL's first error (Fig. 5), host names apart, CA practice (root-issued leaves, order, roots and duplicates sent, weak keys and digests, profile rules), servers with several chains, per service and port.",
  configSchema: OptionsSchema,
  register: ({ container, options }) => {
    // Registered at load so an analysis created before ours (reuse) finds it; configured in create(). Loaded but
    // not run (`analyze --analysis reuse`), the validator is built from our options and the roots reuse passes on.
    const fallback = (rootsFile: string | undefined) => verdictSource(settings(options, rootsFile, profileOf(options, undefined)), defaultWorkers(options));
    container.register(CHAIN_CLASSIFIER, { useValue: new SharedClassifier(fallback, (file) => void loadRoots(file), profileOf(options, undefined)) });
  },
  create: ({ options, params, container }) => {
    const profile = profileOf(options, params.validityProfile);
    const plain = settings(options, params.rootsFile, profile);
    const workers = defaultWorkers(options);
    const service = verdictSource(plain, workers);
    const shared = container.isRegistered(CHAIN_CLASSIFIER, true) ? container.resolve<unknown>(CHAIN_CLASSIFIER) : undefined;
    if (shared instanceof SharedClassifier) shared.use(service, profile);
    return new CaPracticeAnalyzer({
      version, service, profile, at: params.at, checkHostnames: options?.checkHostnames ?? true, passiveExclusions: options?.passiveExclusions,
      store: { plain, workers, source: () => verdictSource(plain, workers, false) },
    });
  },
});
