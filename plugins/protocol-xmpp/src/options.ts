import { Type, type Static } from '@wildtls/core';

export const DEFAULT_OPTIONS = {
  from: 'wildtls-research-scanner.invalid',
  maxStreamBytes: 262144,
  maxDepth: 16,
  maxElements: 1024,
};

/** The plugin's section under `options.xmpp`. */
export const XmppOptionsSchema = Type.Object(
  {
    from: Type.String({ default: DEFAULT_OPTIONS.from, maxLength: 1023, description: "'from' of our stream header: says a research scanner is calling ('' to omit)." }),
    to: Type.Optional(Type.String({ maxLength: 1023, description: "'to' for targets without a domain (default: the IP address)." })),
    maxStreamBytes: Type.Integer({ default: DEFAULT_OPTIONS.maxStreamBytes, minimum: 1024, description: 'Cap on bytes read for one XML stream (before or after TLS).' }),
    maxDepth: Type.Integer({ default: DEFAULT_OPTIONS.maxDepth, minimum: 2, maximum: 256, description: 'Deepest element nesting accepted inside one top-level element.' }),
    maxElements: Type.Integer({ default: DEFAULT_OPTIONS.maxElements, minimum: 8, description: 'Most elements accepted inside one top-level element (e.g. stream features).' }),
  },
  { additionalProperties: false },
);

export type XmppOptions = Static<typeof XmppOptionsSchema>;

/** Options as given, with defaults for anything missing (the kernel fills them from the schema; direct callers may not). */
export function resolveOptions(given: Partial<XmppOptions> | undefined): XmppOptions {
  return { ...DEFAULT_OPTIONS, ...given };
}
