/** What the HEAD request learned: the record's `http` part. */
export interface HttpInfo {
  /** Status code of the final (non-1xx) response. */
  status?: number;
  /** The Server header, as sent (bounded, control bytes escaped). */
  server?: string;
  /** The first Strict-Transport-Security header, as sent (RFC 6797 8.1: only the first counts). */
  hsts?: string;
}

// Typed record field, by module augmentation of core's extension point.
declare module '@wildtls/core' {
  interface ProbeRecordExtensions {
    http?: HttpInfo;
  }
}
