import { defineProtocolPlugin } from '@wildtls/core';
import { xmppDialog } from './dialog.js';
import { xmppPassive } from './passive.js';
import { XmppOptionsSchema, type XmppOptions } from './options.js';

/** XMPP c2s and s2s, STARTTLS in stream features (RFC 6120), and implicit-TLS XMPPS. */
export default defineProtocolPlugin<XmppOptions>({
  kind: 'protocol',
  id: 'xmpp',
  version: '0.1.0',
  api: '^1.2.0',
  description: 'XMPP client and server streams: STARTTLS in stream features (RFC 6120), SASL mechanisms before and after TLS',
  configSchema: XmppOptionsSchema,
  services: [
    { name: 'xmpp-client', defaultPort: 5222, mode: 'starttls', description: 'XMPP c2s, STARTTLS (jabber:client)', dialog: xmppDialog('client'), passive: xmppPassive('client') },
    { name: 'xmpp-server', defaultPort: 5269, mode: 'starttls', description: 'XMPP s2s, STARTTLS (jabber:server)', dialog: xmppDialog('server'), passive: xmppPassive('server') },
    { name: 'xmpps-client', defaultPort: 5223, mode: 'implicit', description: 'XMPP c2s over implicit TLS (XEP-0368)', dialog: xmppDialog('client') },
    { name: 'xmpps-server', defaultPort: 5270, mode: 'implicit', description: 'XMPP s2s over implicit TLS (XEP-0368)', dialog: xmppDialog('server') },
  ],
});

export { xmppDialog, type StreamKind } from './dialog.js';
export { XmppOptionsSchema, type XmppOptions } from './options.js';
export { xmppPassive } from './passive.js';
export { parseFeatures, type StreamFeatures } from './features.js';
