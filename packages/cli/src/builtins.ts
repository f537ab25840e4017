/**
 * The default plugin list: used when the config names no `plugins`. These are
 * ordinary packages resolved at run time like any third-party plugin; the CLI
 * depends on them only so that they are installed.
 */
export const BUILTIN_PLUGINS: readonly string[] = [
  '@wildtls/protocol-smtp',
  '@wildtls/protocol-imap',
  '@wildtls/protocol-pop3',
  '@wildtls/protocol-xmpp',
  '@wildtls/protocol-irc',
  '@wildtls/protocol-https',
  '@wildtls/protocol-tls',
  '@wildtls/analysis-ca-practice',
  '@wildtls/analysis-reuse',
  '@wildtls/analysis-sasl',
  '@wildtls/analysis-crypto',
  '@wildtls/analysis-starttls',
  '@wildtls/analysis-smtp-policy',
];
