import type { ReportFigure } from '@wildtls/core';

/** A row's service and port as one label ("smtp:25"; "all" for every port pooled). */
const AT = { calculate: "datum.service + (datum.port == null ? '' : ':' + datum.port)", as: 'at' };

function ccdfFigure(id: string, ref: string, table: string, what: string, only: string): ReportFigure {
  return {
    id,
    title: `${ref}: likelihood that a ${what} is used on X IPs, per port${only}`,
    paper: { ref },
    table,
    note: `Per ${what}: for each X, the share of the port's ${what}s seen on X or more distinct IPs (a complementary CDF), both axes logarithmic.`,
    spec: {
      transform: [AT],
      mark: { type: 'line', point: true, interpolate: 'step-after' },
      encoding: {
        x: { field: 'ips', type: 'quantitative', title: 'X (distinct IPs)', scale: { type: 'log' } },
        y: { field: 'share', type: 'quantitative', title: `Share of ${what}s on X or more IPs`, scale: { type: 'log' } },
        color: { field: 'at', type: 'nominal', title: 'Service and port', sort: null },
        tooltip: [{ field: 'at', title: 'Port' }, { field: 'ips', title: 'X' }, { field: 'items', title: 'On X or more IPs' }, { field: 'share', title: 'Share', format: '.2%' }],
      },
    },
  };
}

/** Figs. 6a-c (certificates: all, valid, self-signed) and Fig. 7 (public keys), from the ccdf tables. */
export function paperFigures(): ReportFigure[] {
  return [
    ccdfFigure('fig-ccdf-certificates-all', 'Fig. 6a', 'ccdf-certificates-all', 'certificate', ', all certificates'),
    ccdfFigure('fig-ccdf-certificates-valid', 'Fig. 6b', 'ccdf-certificates-valid', 'certificate', ', valid certificates only'),
    ccdfFigure('fig-ccdf-certificates-self-signed', 'Fig. 6c', 'ccdf-certificates-self-signed', 'certificate', ', self-signed certificates only'),
    ccdfFigure('fig-ccdf-keys', 'Fig. 7', 'ccdf-keys', 'public key', ''),
  ];
}
