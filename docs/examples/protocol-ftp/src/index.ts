/**
 * wildtls-protocol-ftp: a wildtls protocol plugin for FTP with AUTH TLS
 * (RFC 4217) and implicit FTPS. Built from `wildtls plugins new protocol ftp
 * --port 21`; kept as the worked example of the plugin authoring guide.
 *
 * This file is the package's only public door: it exports the plugin object
 * that wildtls loads when a config names this package (or its folder) in
 * `plugins`. The dialog itself lives in ./dialog.ts.
 */
import { createRequire } from 'node:module';
import { defineProtocolPlugin, Type, type Static } from '@wildtls/core';
import { ftpDialog } from './dialog.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** The plugin's own config section, `options.ftp` in wildtls.config.yaml. */
export const OptionsSchema = Type.Object(
  {
    maxReplyLines: Type.Integer({ minimum: 1, maximum: 10000, default: 256, description: 'Cap on the lines of one server reply (FEAT, a long banner).' }),
  },
  { additionalProperties: false },
);
export type FtpOptions = Static<typeof OptionsSchema>;

/**
 * The plugin's own record field, typed for everyone who imports this package
 * (module augmentation of core's ProbeRecordExtensions): `record.ftp`.
 */
declare module '@wildtls/core' {
  interface ProbeRecordExtensions {
    ftp?: {
      /** The server answered the first FEAT with 211 (RFC 2389); false for 500/502. */
      featSupported: boolean;
    };
  }
}

export { ftpDialog } from './dialog.js';
export { featFeatures, parseFeat, readFtpReply, replyCode } from './reply.js';

export const plugin = defineProtocolPlugin<FtpOptions>({
  kind: 'protocol',
  id: 'ftp',
  version,
  api: '^1.0.0',
  description: 'FTP: FEAT before and after AUTH TLS (RFC 4217), the TLS handshake and certificate chain; never logs in',
  configSchema: OptionsSchema,
  services: [
    { name: 'ftp', defaultPort: 21, mode: 'starttls', description: 'FTP with AUTH TLS (RFC 4217)', dialog: ftpDialog },
    { name: 'ftps', defaultPort: 990, mode: 'implicit', description: 'FTP over implicit TLS', dialog: ftpDialog },
  ],
});

export default plugin;
