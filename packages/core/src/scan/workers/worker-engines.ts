import { WildtlsError } from '../../errors.js';
import type { TlsEngine } from '../../tls/engine.js';
import { NodeTlsEngine } from '../../tls/node-tls-engine.js';
import { RawTlsEngine } from '../../tls/raw-tls-engine.js';

/** The engines a probe worker can build by name: the built-in ones (engines are objects, not data, so they cannot be sent). */
export const WORKER_ENGINES: Record<string, () => TlsEngine> = {
  raw: () => new RawTlsEngine(),
  node: () => new NodeTlsEngine(),
};

export function workerEngine(name: string): TlsEngine {
  const make = WORKER_ENGINES[name];
  if (!make) throw new WildtlsError('WILDTLS_ERR_USAGE', `tls.engine "${name}" cannot run in probe workers (built-in engines: ${Object.keys(WORKER_ENGINES).join(', ')}); use --workers 1`);
  return make();
}
