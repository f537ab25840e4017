import { NodeTlsEngine, RawTlsEngine, resolveProfile, type TlsEngine, type TlsProfileRef, type WildtlsConfig } from '@wildtls/core';

/** The TLS engines a run can choose with `tls.engine`. */
export function availableEngines(): Record<string, TlsEngine> {
  return { raw: new RawTlsEngine(), node: new NodeTlsEngine() };
}

/** Profile names (built-in or `tls.profiles`) to ClientHello profiles. */
export function profileResolver(): (name: string, config: WildtlsConfig) => TlsProfileRef {
  return (name, config) => resolveProfile(name, config.tls.profiles);
}
