import { defineProtocolPlugin, Type } from '@wildtls/core';
import { imapPassive } from './passive.js';
import { imapDialog, type ImapOptions } from './dialog.js';

export { imapPassive } from './passive.js';
export { imapDialog, IMAP_DEFAULTS, type ImapOptions } from './dialog.js';
export { parseImapCapabilities, capabilityTexts, classifyLine, isLoginDisabled } from './reply.js';

const ImapOptionsSchema = Type.Object(
  {
    alwaysAskCapability: Type.Boolean({
      default: false,
      description: 'Send CAPABILITY even when the greeting carries a [CAPABILITY ...] response code (one more round trip).',
    }),
    maxReplyLines: Type.Integer({ minimum: 1, maximum: 100000, default: 256, description: 'Cap on the lines of one server reply.' }),
  },
  { additionalProperties: false },
);

/** IMAP (143, STARTTLS per RFC 2595/3501) and IMAPS (993, implicit TLS). */
export const plugin = defineProtocolPlugin<ImapOptions>({
  kind: 'protocol',
  id: 'imap',
  version: '0.1.0',
  api: '^1.2.0',
  description: 'IMAP and IMAPS: CAPABILITY, SASL mechanisms and LOGINDISABLED before and after TLS; never logs in',
  configSchema: ImapOptionsSchema,
  services: [
    { name: 'imap', defaultPort: 143, mode: 'starttls', description: 'IMAP with STARTTLS (RFC 3501 §6.2.1, RFC 2595)', dialog: imapDialog, passive: imapPassive },
    { name: 'imaps', defaultPort: 993, mode: 'implicit', description: 'IMAP over implicit TLS (RFC 8314)', dialog: imapDialog },
  ],
});

export default plugin;
