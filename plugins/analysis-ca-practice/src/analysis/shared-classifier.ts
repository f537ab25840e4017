import type { ChainEntry } from './chain-service.js';
import type { VerdictSource } from './verdict-source.js';

/** The DI token the reuse analysis resolves (a global symbol: the two plugins never import each other). */
export const CHAIN_CLASSIFIER = Symbol.for('wildtls.ChainClassifier');

/**
 * The reuse analysis's view of validation: 'valid', 'self-signed' or
 * 'invalid' for a chain at a time, answered by the same ChainService (and
 * cache) the ca-practice analyzer uses, so each distinct chain is validated
 * once for both.
 */
export class SharedClassifier {
  private service: VerdictSource | undefined;

  constructor(private readonly fallback: () => VerdictSource) {}

  use(service: VerdictSource): void {
    this.service = service;
  }

  classify(chain: readonly Uint8Array[], at: Date): ChainClass | Promise<ChainClass> {
    this.service ??= this.fallback();
    const b64 = chain.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('base64'));
    const e = this.service.verdict(b64, at.getTime());
    return e instanceof Promise ? e.then(classOf) : classOf(e);
  }
}

type ChainClass = 'valid' | 'self-signed' | 'invalid';

function classOf(e: ChainEntry): ChainClass {
  if (e.errors.length === 0) return 'valid';
  return e.errors.includes('self-signed') ? 'self-signed' : 'invalid';
}
