import type { ReportFigure } from '@wildtls/core';

/** A row's service and port as one label ("smtp:25"; "all" for the pooled row). */
const AT = { calculate: "datum.service + (datum.port == null ? '' : ':' + datum.port)", as: 'at' };

/**
 * Fig. 3: per port, the share of servers (TLS reached) per key exchange and
 * bulk cipher family, stacked; drawn from the cipher-categories table.
 */
export function cryptoFigures(): ReportFigure[] {
  return [{
    id: 'fig-cipher-categories',
    title: 'Fig. 3: negotiated cipher suites by key exchange and bulk cipher, per port (share of the servers where TLS was reached)',
    paper: { ref: 'Fig. 3' },
    table: 'cipher-categories',
    note: 'Per server (ip:port where TLS was reached); each bar sums to 100% of its port; "all" pools every port.',
    spec: {
      transform: [AT, { calculate: "datum.keyExchange + ' / ' + datum.bulk", as: 'suite' }],
      mark: 'bar',
      encoding: {
        x: { field: 'at', type: 'nominal', title: 'Service and port', sort: null },
        y: { field: 'share', type: 'quantitative', title: 'Share of servers', axis: { format: '%' }, stack: 'zero' },
        color: { field: 'suite', type: 'nominal', title: 'Key exchange / bulk cipher' },
        tooltip: [{ field: 'at', title: 'Port' }, { field: 'suite', title: 'Suite class' }, { field: 'servers', title: 'Servers' }, { field: 'share', title: 'Share', format: '.1%' }],
      },
    },
  }];
}
