/**
 * Coded errors, in the manner of fastify's FST_ERR_*: every error a user can
 * meet carries a stable code and a message that says what to do.
 */
export type WildtlsErrorCode =
  | 'WILDTLS_ERR_CONFIG_NOT_FOUND'
  | 'WILDTLS_ERR_CONFIG_PARSE'
  | 'WILDTLS_ERR_CONFIG_INVALID'
  | 'WILDTLS_ERR_PLUGIN_NOT_FOUND'
  | 'WILDTLS_ERR_PLUGIN_INVALID'
  | 'WILDTLS_ERR_PLUGIN_API'
  | 'WILDTLS_ERR_PLUGIN_DUPLICATE'
  | 'WILDTLS_ERR_UNKNOWN_SERVICE'
  | 'WILDTLS_ERR_TARGET'
  | 'WILDTLS_ERR_NOTHING_SCANNED'
  | 'WILDTLS_ERR_RESULTS_CORRUPT'
  | 'WILDTLS_ERR_RESULTS_NOT_FOUND'
  | 'WILDTLS_ERR_RESULTS_LOCKED'
  | 'WILDTLS_ERR_RESULTS_VERSION'
  | 'WILDTLS_ERR_USAGE'
  | 'WILDTLS_ERR_CAPTURE'
  /** An analysis outgrew Node's heap (the stream path of `analyze`): the message names the ways out. */
  | 'WILDTLS_ERR_MEMORY';

/** What a WILDTLS_ERR_MEMORY message tells the user to do (the CLI's heap guard and any analysis's worker threads say the same). */
export const MEMORY_ERROR_FIXES =
  'import the results into a store and analyse that (`wildtls import FILES --into results.duckdb`, then `wildtls analyze results.duckdb`), ' +
  'or give Node a larger heap if the machine has the memory (`NODE_OPTIONS=--max-old-space-size=12288`, which worker threads get too)';

export class WildtlsError extends Error {
  readonly code: WildtlsErrorCode;
  constructor(code: WildtlsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WildtlsError';
    this.code = code;
  }
}

export function isWildtlsError(err: unknown): err is WildtlsError {
  return err instanceof Error && typeof (err as unknown as { code?: unknown }).code === 'string' &&
    String((err as unknown as { code: string }).code).startsWith('WILDTLS_ERR_');
}
