import type { Farm } from './start-farm.js';

export const SIX_PLUGINS = [
  '@wildtls/protocol-smtp',
  '@wildtls/protocol-imap',
  '@wildtls/protocol-pop3',
  '@wildtls/protocol-xmpp',
  '@wildtls/protocol-irc',
  '@wildtls/protocol-https',
];

/**
 * The YAML a user would write to scan the farm: the six protocol plugins by
 * package name, every service with its ports, the farm's addresses, loopback
 * allowed. The TLS engine is left at its default (raw). Deadlines are short:
 * most combinations are closed ports, refused at once on loopback.
 */
export function farmConfigYaml(farm: Farm): string {
  const services = Object.keys(farm.servicePorts);
  return [
    '# wildtls farm test: one scan of every daemon on 127.0.15.0/24',
    'plugins:',
    ...SIX_PLUGINS.map((p) => `  - "${p}"`),
    'scan:',
    `  protocols: [${services.join(', ')}]`,
    '  servicePorts:',
    ...services.map((s) => `    ${s}: [${farm.servicePorts[s]!.join(', ')}]`),
    '  targets:',
    ...farm.addresses.map((a) => `    - ${a}`),
    '  allow: [127.0.0.0/8]',
    '  order: sequential',
    '  rate: 0',
    '  concurrency: 100',
    '  perNetworkConcurrency: 100',
    '  connectRetries: 0',
    '  progress: off',
    '  timeout:',
    '    connect: 3000',
    '    read: 8000',
    '    probe: 20000',
    'log:',
    '  level: warn',
    'options:',
    '  xmpp:',
    `    to: ${farm.xmppDomain}`,
    '',
  ].join('\n');
}
