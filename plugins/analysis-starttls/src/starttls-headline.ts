import { headlineValues, type ReportHeadline } from '@wildtls/core';
import type { CountsRow } from './starttls-tables.js';

/** The report page's headline: servers probed, TLS reached, STARTTLS upgraded (STARTTLS services only), per protocol. */
export function starttlsHeadline(groups: CountsRow[]): ReportHeadline[] {
  return [
    { id: 'probed', title: 'Servers probed', order: 10, countingRule: 'per-server', values: headlineValues(groups.map((g) => ({ service: g.service, port: g.port, count: g.c.probed }))) },
    { id: 'tls-reached', title: 'TLS reached', order: 20, of: 'servers probed', countingRule: 'per-server', values: headlineValues(groups.map((g) => ({ service: g.service, port: g.port, count: g.c.tls, total: g.c.probed }))) },
    {
      id: 'starttls-upgraded',
      title: 'STARTTLS supported & upgraded',
      order: 40,
      of: 'servers with the port open',
      countingRule: 'per-server',
      values: headlineValues(groups.filter((g) => g.mode === 'starttls').map((g) => ({ service: g.service, port: g.port, count: g.c.upgraded, total: g.c.hosts }))),
    },
  ];
}
