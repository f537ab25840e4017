import { Type, type Static } from '@wildtls/core';

/** Defaults live here once: the config schema and the dialog both use them. */
export const SMTP_DEFAULTS = {
  ehloName: 'wildtls-research-scanner.invalid',
  maxReplyLines: 128,
  quitTimeoutMs: 2000,
} as const;

/** `options.smtp` in a scan config. */
export const SmtpOptionsSchema = Type.Object(
  {
    ehloName: Type.String({
      default: SMTP_DEFAULTS.ehloName,
      minLength: 1,
      maxLength: 255,
      // A domain or an address literal; no spaces or line breaks can reach the wire.
      pattern: '^[A-Za-z0-9.:\\[\\]_-]+$',
      description: 'Name sent in EHLO/HELO. The default says the client is a research scanner.',
    }),
    maxReplyLines: Type.Integer({
      default: SMTP_DEFAULTS.maxReplyLines,
      minimum: 1,
      maximum: 10000,
      description: 'Cap on the lines of one reply (banner, EHLO); a longer reply ends the probe with protocol-error.',
    }),
    quitTimeoutMs: Type.Integer({
      default: SMTP_DEFAULTS.quitTimeoutMs,
      minimum: 0,
      maximum: 60000,
      description: 'How long to wait for the reply to QUIT before closing.',
    }),
  },
  { additionalProperties: false },
);

export type SmtpOptions = Static<typeof SmtpOptionsSchema>;

const NAME = new RegExp(SmtpOptionsSchema.properties.ehloName.pattern!);

/**
 * Options as the dialog uses them: defaults filled in, and the EHLO name
 * checked again, since a dialog may be run without the config validator.
 */
export function resolveOptions(raw: unknown): SmtpOptions {
  const o = { ...SMTP_DEFAULTS, ...((raw ?? {}) as Partial<SmtpOptions>) };
  if (typeof o.ehloName !== 'string' || !NAME.test(o.ehloName) || o.ehloName.length > 255) {
    throw new TypeError(`smtp: ehloName must be a domain or address literal, got ${JSON.stringify(o.ehloName)}`);
  }
  return o;
}
