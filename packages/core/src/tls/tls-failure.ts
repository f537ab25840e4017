import type { TlsInfo } from '../record/tls-schema.js';

export type TlsErrorKind = NonNullable<TlsInfo['error']>['kind'];

/** Internal: a classified handshake failure, turned into `info.error` by the engine. */
export class TlsFailure extends Error {
  constructor(
    readonly kind: TlsErrorKind,
    message: string,
    readonly messageType?: string,
    public offset?: number,
  ) {
    super(message);
    this.name = 'TlsFailure';
  }
}
