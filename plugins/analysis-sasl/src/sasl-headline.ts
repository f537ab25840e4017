import { headlineValues, type ReportHeadline } from '@wildtls/core';
import type { SaslGroup } from './sasl-tables.js';

/** The report page's headline: servers whose SASL after TLS offers plaintext mechanisms only, per protocol. */
export function saslHeadline(groups: SaslGroup[]): ReportHeadline[] {
  return [{
    id: 'plaintext-only-after-tls',
    title: 'Plaintext-only SASL after TLS',
    order: 50,
    of: 'servers offering SASL after TLS',
    countingRule: 'per-server',
    values: headlineValues(groups.filter((g) => g.after.withSasl > 0).map((g) => ({ service: g.service, port: g.port, count: g.after.plaintextOnly, total: g.after.withSasl }))),
  }];
}
