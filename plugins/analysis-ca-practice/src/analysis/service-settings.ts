import { loadTrustStore } from '../roots/trust-store.js';
import type { Profile } from '../validate/profile-verdict.js';
import type { ServiceSettings } from './chain-service.js';

/** Validator settings as they cross to a worker thread (the trust store is loaded on each side). */
export interface PlainSettings {
  profile: Profile;
  rootsFile?: string;
  strictAnchors: boolean;
  maxIntermediates: number;
  maxSignatureChecks: number;
  maxValidityDays: number;
  useScanIntermediates: boolean;
}

export function serviceSettings(p: PlainSettings): ServiceSettings {
  const { rootsFile, ...rest } = p;
  return { ...rest, store: loadTrustStore(rootsFile) };
}
