/**
 * __PACKAGE__: a wildtls protocol plugin for __NAME__.
 *
 * This file is the package's only public door: it exports the plugin object
 * that wildtls loads when a config names this package (or its folder) in
 * `plugins`. The dialog itself lives in ./dialog.ts.
 */
import { createRequire } from 'node:module';
import { defineProtocolPlugin, Type, type Static } from '@wildtls/core';
import { __CAMEL__Dialog } from './dialog.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/**
 * The plugin's own config section, `options.__NAME__` in wildtls.config.yaml.
 * wildtls validates it and fills in the defaults before the dialog sees it.
 * FILL IN: add the settings your dialog needs (a client name to announce, ...).
 */
export const OptionsSchema = Type.Object(
  {
    maxReplyLines: Type.Integer({ minimum: 1, maximum: 10000, default: 256, description: 'Cap on the lines of one server reply.' }),
  },
  { additionalProperties: false },
);
export type __PASCAL__Options = Static<typeof OptionsSchema>;

export { __CAMEL__Dialog } from './dialog.js';

export const plugin = defineProtocolPlugin<__PASCAL__Options>({
  kind: 'protocol',
  // The id names the plugin in `wildtls plugins` and its config section under `options`.
  id: '__NAME__',
  version,
  // The plugin API range this plugin is built for; wildtls refuses it when incompatible.
  api: '^1.0.0',
  description: '__NAME__: capabilities before and after STARTTLS, the TLS handshake and certificate chain',
  configSchema: OptionsSchema,
  // One entry per service name users pass to `wildtls scan --protocol <name>`.
  // FILL IN: the real default port, and an implicit-TLS variant if the protocol has one:
  //   { name: '__NAME__s', defaultPort: ..., mode: 'implicit', dialog: __CAMEL__Dialog },
  services: [
    { name: '__NAME__', defaultPort: __PORT__, mode: 'starttls', description: '__NAME__ with STARTTLS', dialog: __CAMEL__Dialog },
  ],
});

export default plugin;
