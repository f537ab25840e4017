import { NodeTlsEngine, type TlsEngine } from '@wildtls/core';
import * as core from '@wildtls/core';

/** The TLS engines a run can choose with `tls.engine`. */
export function availableEngines(): Record<string, TlsEngine> {
  const engines: Record<string, TlsEngine> = { node: new NodeTlsEngine() };
  const Raw = (core as Record<string, unknown>).RawTlsEngine as (new () => TlsEngine) | undefined;
  if (Raw) engines.raw = new Raw();
  return engines;
}

/** Resolve profile names through the engine's profile table when it has one. */
export function profileResolver(): ((name: string, config: core.WildtlsConfig) => core.TlsProfileRef) | undefined {
  const resolve = (core as Record<string, unknown>).resolveProfile as ((n: string, user: Record<string, unknown>) => core.TlsProfileRef) | undefined;
  return resolve ? (name, config) => resolve(name, config.tls.profiles) : undefined;
}
