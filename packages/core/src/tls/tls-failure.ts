import type { TlsInfo } from '../record/tls-schema.js';

export type TlsErrorKind = NonNullable<TlsInfo['error']>['kind'];

/**
 * Internal: a classified handshake failure, turned into `info.error` by the engine.
 * Kind `internal` is wildtls's own bug; its `cause` is the exception behind it.
 */
export class TlsFailure extends Error {
  // Fields declared and set in the constructor (the parameter properties' order): no <instance_members_initializer> per failure.
  declare readonly kind: TlsErrorKind;
  declare readonly messageType?: string;
  declare offset?: number;
  constructor(kind: TlsErrorKind, message: string, messageType?: string, offset?: number, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.kind = kind;
    this.messageType = messageType;
    this.offset = offset;
    this.name = 'TlsFailure';
  }
}

/**
 * Run `f` on bytes the server chose (a key share, DH parameters, a certificate):
 * whatever it throws is the server's protocol error, not ours. For node:crypto
 * calls, whose errors carry no hint of whose fault they are.
 */
export function serverInput<T>(what: string, messageType: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof TlsFailure) throw e;
    throw new TlsFailure('protocol', `${what}: ${(e as Error)?.message ?? String(e)}`, messageType);
  }
}
