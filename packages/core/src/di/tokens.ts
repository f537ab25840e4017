import type { InjectionToken } from 'tsyringe';
import type { Logger } from 'pino';
import type { ResultBus } from '../bus/result-bus.js';
import type { ProbeRecord } from '../record/record-schema.js';
import type { TlsEngine } from '../tls/engine.js';
import type { WildtlsConfig } from '../config/core-schema.js';
import type { PluginRegistry } from '../plugin/registry.js';

/** Tokens of the services the kernel registers in a scan's DI container. */
export const TOKENS = {
  Logger: Symbol.for('wildtls.Logger') as InjectionToken<Logger>,
  Config: Symbol.for('wildtls.Config') as InjectionToken<WildtlsConfig>,
  ResultBus: Symbol.for('wildtls.ResultBus') as InjectionToken<ResultBus<ProbeRecord>>,
  TlsEngine: Symbol.for('wildtls.TlsEngine') as InjectionToken<TlsEngine>,
  Plugins: Symbol.for('wildtls.Plugins') as InjectionToken<PluginRegistry>,
} as const;
