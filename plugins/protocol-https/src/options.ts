import { Type, type Static } from '@wildtls/core';

export const DEFAULT_OPTIONS = {
  userAgent: 'wildtls TLS research scanner',
  path: '/',
  maxHeaderBytes: 32768,
  maxHeaders: 100,
};

/** The plugin's section under `options.https`. */
export const HttpsOptionsSchema = Type.Object(
  {
    userAgent: Type.String({ default: DEFAULT_OPTIONS.userAgent, minLength: 1, maxLength: 256, pattern: '^[\\x20-\\x7e]+$', description: 'User-Agent of the HEAD request: says a research scanner is calling.' }),
    path: Type.String({ default: DEFAULT_OPTIONS.path, pattern: '^/[\\x21-\\x7e]*$', maxLength: 1024, description: 'Request target of the HEAD request.' }),
    maxHeaderBytes: Type.Integer({ default: DEFAULT_OPTIONS.maxHeaderBytes, minimum: 256, description: 'Cap on the bytes of the status line and headers together.' }),
    maxHeaders: Type.Integer({ default: DEFAULT_OPTIONS.maxHeaders, minimum: 4, description: 'Most header lines accepted.' }),
  },
  { additionalProperties: false },
);

export type HttpsOptions = Static<typeof HttpsOptionsSchema>;

export function resolveOptions(given: Partial<HttpsOptions> | undefined): HttpsOptions {
  return { ...DEFAULT_OPTIONS, ...given };
}
