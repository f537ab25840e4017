import { createRunContainer, type ProbeRecord } from '@wildtls/core';
import type { RunSetup } from '../load-run.js';
import type { ChainVerdict } from './host-view.js';

/**
 * The DI token under which the ca-practice analysis shares its validator
 * (its CHAIN_CLASSIFIER, a Symbol.for key): `show` asks the same validator
 * the analysis counts with, so there is one set of validity rules. The CLI
 * loads plugins at run time and imports none, hence the shape below.
 */
const CHAIN_CLASSIFIER = Symbol.for('wildtls.ChainClassifier');

interface Explainer {
  explain?(chain: readonly string[], at: Date, name?: string): ChainVerdict | Promise<ChainVerdict>;
}

export interface VerdictParams {
  at?: Date;
  rootsFile?: string;
  validityProfile?: string;
}

/**
 * A function giving a record's chain verdict (undefined for a record without
 * a chain), or undefined when no loaded analysis plugin explains chains
 * (ca-practice is not in the plugins list). The validation time is `at` or
 * else the record's startedAt, as in `analyze`.
 */
export async function chainVerdicts(setup: RunSetup, params: VerdictParams): Promise<((r: ProbeRecord) => Promise<ChainVerdict | undefined>) | undefined> {
  const plugin = setup.registry.analyses().find((a) => a.id === 'ca-practice');
  if (!plugin) return undefined;
  const container = await createRunContainer(setup.config, setup.registry, setup.logger);
  // create() hands the validator, set up with these parameters, to the shared classifier.
  await plugin.create({
    options: (setup.config.options as Record<string, unknown>)[plugin.id],
    logger: setup.logger.child({ analysis: plugin.id }),
    container,
    params: { at: params.at, rootsFile: params.rootsFile, validityProfile: params.validityProfile },
  });
  if (!container.isRegistered(CHAIN_CLASSIFIER, true)) return undefined;
  const classifier = container.resolve<Explainer>(CHAIN_CLASSIFIER);
  if (typeof classifier.explain !== 'function') return undefined;
  const checkHostnames = ((setup.config.options as Record<string, { checkHostnames?: boolean } | undefined>)[plugin.id]?.checkHostnames ?? true);
  return async (r) => {
    const chain = r.tls?.chain;
    if (!chain?.length) return undefined;
    const started = Date.parse(r.startedAt);
    const at = params.at ?? new Date(Number.isNaN(started) ? Date.now() : started);
    return classifier.explain!(chain, at, checkHostnames ? r.domain : undefined);
  };
}
