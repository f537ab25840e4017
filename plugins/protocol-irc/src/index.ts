import { defineProtocolPlugin } from '@wildtls/core';
import { ircDialog } from './dialog.js';
import { ircPassive } from './passive.js';
import { IrcOptionsSchema, type IrcOptions } from './options.js';

/** IRC with STARTTLS (CAP LS, numerics 670/691) and implicit-TLS IRCS. */
export default defineProtocolPlugin<IrcOptions>({
  kind: 'protocol',
  id: 'irc',
  version: '0.1.0',
  api: '^1.2.0',
  description: 'IRC: CAP LS 302 before and after TLS, STARTTLS only when the tls cap is offered (numerics 670/691)',
  configSchema: IrcOptionsSchema,
  services: [
    { name: 'irc', defaultPort: 6667, mode: 'starttls', description: 'IRC, STARTTLS via the IRCv3 tls cap', dialog: ircDialog, passive: ircPassive },
    { name: 'ircs', defaultPort: 6697, mode: 'implicit', description: 'IRC over implicit TLS', dialog: ircDialog },
  ],
});

export { ircDialog } from './dialog.js';
export { ircPassive } from './passive.js';
export { IrcOptionsSchema, type IrcOptions } from './options.js';
export { parseMessage, type IrcMessage } from './message.js';
export { CapLsList, saslMechanisms } from './cap-ls.js';
