/**
 * A protocol plugin's passive hook: it reads both sides of a connection's
 * clear-text dialog from the wire (what a scan's dialog would have said and
 * heard) and reports what was offered and asked, up to "TLS starts now".
 * Core splits the bytes, holds the client's bytes after a STARTTLS request
 * until the server answers, and hands the TLS bytes to its handshake follower.
 */
export type PassiveSide = 'client' | 'server';

/** What a passive dialog says about the bytes it was just given. */
export interface PassiveStep {
  /**
   * TLS starts in this direction after this many of the bytes given. From the
   * client: it asked for STARTTLS (core holds what follows until the server
   * answers). From the server: it accepted.
   */
  tlsAt?: number;
  /** From the server: it refused the STARTTLS the client asked for; core gives the held client bytes back as clear text. */
  refused?: boolean;
  /** Nothing more is wanted from this connection (the client authenticated or began a mail transaction in the clear). */
  stop?: boolean;
}

/** What a passive dialog saw, in the record's words. Lists are capped when the record is written. */
export interface PassiveView {
  banner?: string;
  /** Capabilities the server listed before TLS, in its order (IMAP LOGINDISABLED is one of them). */
  capabilities?: string[];
  /** SASL mechanisms the server offered before TLS. */
  sasl?: string[];
  /** Set once the server's capabilities were seen. */
  startTlsOffered?: boolean;
  startTlsRequested: boolean;
  /** The server's reply to STARTTLS and whether it went ahead. */
  startTlsReply?: string;
  startTlsAccepted?: boolean;
  /**
   * How the client authenticated in the clear: a SASL mechanism name, or the
   * protocol's own plaintext command (IMAP `LOGIN`, POP3 `USER`, `APOP`).
   * The NAME only: never a credential.
   */
  clientMechanism?: string;
}

export interface PassiveDialog {
  /** Bytes one side sent in the clear, in capture order. Must cost time linear in the bytes and keep bounded memory. */
  data(from: PassiveSide, bytes: Buffer): PassiveStep;
  readonly view: PassiveView;
}
