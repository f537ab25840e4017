/**
 * What the raw engine accepts from a server before it gives up. Every cap
 * ends in a classified `tls.error`; docs/tls-engine.md ("Limits on hostile
 * servers") says why each number is what it is. The probe's byte cap is not
 * here: it is the probe's ByteBudget (or `maxBytes`), shared with the dialog.
 */
export interface TlsLimits {
  /** One handshake message, in bytes. */
  maxMessageBytes: number;
  /** Records the server may send before the handshake ends. */
  maxHandshakeRecords: number;
  /** Entries in one Certificate message. */
  maxCertificates: number;
  /** DH prime size, in bits, that the engine computes a key exchange with. */
  maxDhPrimeBits: number;
  /** After the handshake: records that carry no application data (tickets, alerts, empty records...). */
  maxIdleRecords: number;
  /** After the handshake: handshake messages (NewSessionTicket, KeyUpdate, HelloRequest). */
  maxPostHandshakeMessages: number;
  /** After the handshake: records with fewer than SMALL_RECORD_BYTES of application data (each costs a decryption). */
  maxSmallRecords: number;
}

/** A record with less application data than this is "small" (see maxSmallRecords). */
export const SMALL_RECORD_BYTES = 64;

export const DEFAULT_TLS_LIMITS: Readonly<TlsLimits> = Object.freeze({
  maxMessageBytes: 256 * 1024,
  maxHandshakeRecords: 1024,
  maxCertificates: 256,
  maxDhPrimeBits: 8192,
  maxIdleRecords: 64,
  maxPostHandshakeMessages: 64,
  maxSmallRecords: 4096,
});
