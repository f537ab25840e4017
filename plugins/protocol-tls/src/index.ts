import { defineProtocolPlugin, Type, type ProbeDialog } from '@wildtls/core';

/**
 * Bare TLS on any port, like zgrab2's tls module: the kernel performs the
 * implicit handshake with the configured engine, profile, fallback ladder
 * and observe-only setting (config `tls.*`), and records it under `tls`.
 * There is no application dialog: once the handshake is done, so is the probe.
 */
export const tlsDialog: ProbeDialog = async () => 'success';

export const plugin = defineProtocolPlugin({
  kind: 'protocol',
  id: 'tls',
  version: '0.1.0',
  api: '^1.0.0',
  description: 'Implicit TLS on any port with no application dialog: handshake, chain, key exchange, OCSP, alerts',
  configSchema: Type.Object({}, { additionalProperties: false }),
  services: [
    { name: 'tls', defaultPort: 443, mode: 'implicit', description: 'A TLS handshake and nothing more (give --port)', dialog: tlsDialog },
  ],
});

export default plugin;
