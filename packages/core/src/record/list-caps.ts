/*
 * How many entries a record keeps of one list in one phase (before or after
 * TLS), the same for every protocol. The real daemons of the test suite
 * (test/real-servers: Dovecot, Courier-IMAP, Postfix, Exim, Prosody, InspIRCd)
 * list at most 3 SASL mechanisms and 15 capability entries (Courier-IMAP's
 * CAPABILITY before TLS); the caps are some 20 and 17 times that. Past the
 * cap a list is not a measurement but a flood (one distinct token every 6
 * bytes is some 170,000 strings per MiB): the entries past it are counted,
 * never kept.
 */

/** Most SASL mechanisms a record keeps per phase. */
export const MAX_SASL_MECHANISMS = 64;
/** Most capability entries a record keeps per phase. */
export const MAX_CAPABILITIES = 256;
/** Longest capability entry a record keeps (longer ones are cut, with an ellipsis). */
export const CAPABILITY_ENTRY_LENGTH = 512;
/** Longest SASL mechanism name a record keeps (RFC 4422 names are 1 to 20 characters). */
export const SASL_NAME_LENGTH = 64;
