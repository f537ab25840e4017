import { defineProtocolPlugin, Type } from '@wildtls/core';
import { pop3Passive } from './passive.js';
import { pop3Dialog, type Pop3Options } from './dialog.js';

export { pop3Passive } from './passive.js';
export { pop3Dialog, POP3_DEFAULTS, type Pop3Options } from './dialog.js';
export { parseCapa, isOk, isErr } from './reply.js';

const Pop3OptionsSchema = Type.Object(
  {
    maxReplyLines: Type.Integer({ minimum: 1, maximum: 100000, default: 256, description: 'Cap on the lines of one server reply (CAPA).' }),
  },
  { additionalProperties: false },
);

/** POP3 (110, STLS per RFC 2595) and POP3S (995, implicit TLS). */
export const plugin = defineProtocolPlugin<Pop3Options>({
  kind: 'protocol',
  id: 'pop3',
  version: '0.1.0',
  api: '^1.2.0',
  description: 'POP3 and POP3S: CAPA and SASL mechanisms before and after TLS; never logs in',
  configSchema: Pop3OptionsSchema,
  services: [
    { name: 'pop3', defaultPort: 110, mode: 'starttls', description: 'POP3 with STLS (RFC 2595 §4)', dialog: pop3Dialog, passive: pop3Passive },
    { name: 'pop3s', defaultPort: 995, mode: 'implicit', description: 'POP3 over implicit TLS (RFC 8314)', dialog: pop3Dialog },
  ],
});

export default plugin;
