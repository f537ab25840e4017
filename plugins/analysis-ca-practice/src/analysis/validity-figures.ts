import { headlineValues, type ReportFigure, type ReportHeadline, type ReportTable } from '@wildtls/core';

/** A row's service and port as one label ("smtp:25"; "all" for the pooled row). */
const AT = { calculate: "datum.service + (datum.port == null ? '' : ':' + datum.port)", as: 'at' };

/**
 * Fig. 4 (every validity class a server's chain is in, grouped bars per port:
 * classes overlap, so they are not stacked) and Fig. 5 (OpenSSL's first error
 * per server, stacked: exclusive; with passive records also per server seen
 * and per connection). Drawn from the validity and primary-error tables; Fig. 4 carries the study's label only when the table does (openssl profile).
 */
export function validityFigures(tables: ReportTable[]): ReportFigure[] {
  const figures: ReportFigure[] = [];
  const validity = tables.find((t) => t.id === 'validity');
  if (validity) {
    const classes = validity.columns.filter((c) => c.type === 'share');
    figures.push({
      id: 'fig-validity',
      title: validity.paper ? 'Fig. 4: certificate validity per protocol and port (every class a chain is in)' : 'Certificate validity per protocol and port (every class a chain is in; not the openssl profile, so not Fig. 4)',
      ...(validity.paper ? { paper: { ref: validity.paper.ref } } : {}),
      table: 'validity',
      note: 'Per server with a chain; a chain may be in several classes (expired and self-signed), so the bars of one port can sum past 100%.',
      spec: {
        // Grouped bars: with an offset channel the step is each class's bar (vega-lite), so a port gets classes × 7 px.
        width: { step: 7 },
        transform: [
          AT,
          { fold: classes.map((c) => c.key), as: ['class', 'share'] },
          { lookup: 'class', from: { data: { values: classes.map((c) => ({ class: c.key, label: c.title })) }, key: 'class', fields: ['label'] } },
        ],
        mark: 'bar',
        encoding: {
          x: { field: 'at', type: 'nominal', title: 'Service and port', sort: null },
          xOffset: { field: 'label', type: 'nominal', sort: classes.map((c) => c.title) },
          y: { field: 'share', type: 'quantitative', title: 'Share of servers with a chain', axis: { format: '%' } },
          color: { field: 'label', type: 'nominal', title: 'Class', sort: classes.map((c) => c.title) },
          tooltip: [{ field: 'at', title: 'Port' }, { field: 'label', title: 'Class' }, { field: 'share', title: 'Share', format: '.1%' }],
        },
      },
    });
  }
  const fig5: Array<[table: string, unit: 'servers' | 'connections', title: string, note: string]> = [
    ['primary-error', 'servers', 'Fig. 5: the error `openssl verify` reports first, per server, per protocol and port', 'Per server (scan records). The study also weights by connections: drawn from passive records when the input has them (fig-passive-primary-error-connections).'],
    ['passive-primary-error', 'servers', 'Fig. 5 (passive, per server): the error `openssl verify` reports first, per server seen in the capture, per protocol and port', 'Per server (ip:port) of the passive records, by its first connection that carried a chain; TLS 1.3 connections carry none.'],
    ['passive-primary-error-connections', 'connections', 'Fig. 5 (passive, by connections): the error `openssl verify` reports first, per captured connection, per protocol and port', 'Each passive connection that carried a chain counts once; TLS 1.3 connections carry none.'],
  ];
  for (const [table, unit, title, note] of fig5) {
    if (!tables.some((t) => t.id === table)) continue;
    const Unit = unit === 'servers' ? 'Servers' : 'Connections';
    figures.push({
      id: `fig-${table}`,
      title,
      paper: { ref: 'Fig. 5' },
      table,
      note,
      spec: {
        transform: [AT, { calculate: "datum.code + ' ' + datum.error", as: 'label' }],
        mark: 'bar',
        encoding: {
          y: { field: 'at', type: 'nominal', title: 'Service and port', sort: null },
          x: { field: 'share', type: 'quantitative', title: `Share of ${unit} with a chain`, axis: { format: '%' }, stack: 'zero' },
          color: { field: 'label', type: 'nominal', title: 'First OpenSSL error (0: verifies)' },
          tooltip: [{ field: 'at', title: 'Port' }, { field: 'label', title: 'Error' }, { field: unit, title: Unit }, { field: 'share', title: 'Share', format: '.1%' }],
        },
      },
    });
  }
  return figures;
}

/** The report page's headline: servers whose chain is valid (under the report's profile), per protocol, of the servers with a chain. */
export function validityHeadline(tables: ReportTable[], profile: string): ReportHeadline[] {
  const validity = tables.find((t) => t.id === 'validity');
  if (!validity) return [];
  // The table holds shares of its `servers` column: n / servers * servers is n again.
  const rows = validity.rows.map((r) => ({ service: String(r.service), port: typeof r.port === 'number' ? r.port : null, count: Math.round(Number(r.valid ?? 0) * Number(r.servers)), total: Number(r.servers) }));
  return [{ id: 'valid-chain', title: `Valid chain (${profile} profile)`, of: 'servers with a chain', order: 30, countingRule: 'per-server', values: headlineValues(rows) }];
}
