import { defineProtocolPlugin } from '@wildtls/core';
import { httpsDialog } from './dialog.js';
import { HttpsOptionsSchema, type HttpsOptions } from './options.js';
export type { HttpInfo } from './http-record.js';

/** HTTPS baseline: implicit TLS, then one HEAD request for Server and Strict-Transport-Security. */
export default defineProtocolPlugin<HttpsOptions>({
  kind: 'protocol',
  id: 'https',
  version: '0.1.0',
  api: '^1.0.0',
  description: 'HTTPS: implicit TLS, then HEAD / for the status code, Server and Strict-Transport-Security',
  configSchema: HttpsOptionsSchema,
  services: [{ name: 'https', defaultPort: 443, mode: 'implicit', description: 'HTTP over implicit TLS', dialog: httpsDialog }],
});

export { httpsDialog } from './dialog.js';
export { HttpsOptionsSchema, type HttpsOptions } from './options.js';
export { parseStatusLine, parseHeaders, firstHeader, type StatusLine, type HeaderField } from './http-response.js';
