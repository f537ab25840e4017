import { defineProtocolPlugin } from '@wildtls/core';
import { smtpDialog } from './dialog.js';
import { smtpPassive } from './passive.js';
import { SmtpOptionsSchema, type SmtpOptions } from './options.js';
import './smtp-record.js';

export type { SmtpOptions } from './options.js';
export type { SmtpRecord } from './smtp-record.js';
export { smtpPassive } from './passive.js';
export { parseEhlo, parseReply, parseKeyword, smtpReplyEnd, type SmtpReply, type EhloView, type EhloKeyword } from './reply.js';

/**
 * SMTP, SUBMISSION and SMTPS. One dialog serves all three: on the STARTTLS
 * ports it upgrades in-band, on 465 the kernel has already done the handshake.
 */
const plugin = defineProtocolPlugin<SmtpOptions>({
  kind: 'protocol',
  id: 'smtp',
  version: '0.1.0',
  api: '^1.2.0',
  description: 'SMTP (25), SUBMISSION (587) and SMTPS (465): EHLO capabilities and SASL mechanisms before and after TLS, STARTTLS per RFC 3207',
  configSchema: SmtpOptionsSchema,
  services: [
    { name: 'smtp', defaultPort: 25, mode: 'starttls', description: 'Mail transfer, STARTTLS (RFC 3207)', dialog: smtpDialog, passive: smtpPassive },
    { name: 'submission', defaultPort: 587, mode: 'starttls', description: 'Mail submission, STARTTLS (RFC 6409)', dialog: smtpDialog, passive: smtpPassive },
    { name: 'smtps', defaultPort: 465, mode: 'implicit', description: 'Mail submission over implicit TLS (RFC 8314)', dialog: smtpDialog },
  ],
});

export default plugin;
export { plugin };
