import type { ReportCell, ReportColumn, ReportTable } from '@wildtls/core';
import { share } from '@wildtls/core';
import type { CryptoCounts } from './crypto-counts.js';
import { BULK_FAMILIES, KEY_EXCHANGE_FAMILIES, WEAKNESSES } from './suite-class.js';

/** One row group: a service and port, or the whole scan (service 'all', port null). */
export interface CountsRow {
  service: string;
  port: number | null;
  c: CryptoCounts;
}

type Row = Record<string, ReportCell>;

const SVC: ReportColumn[] = [
  { key: 'service', title: 'Service', type: 'string' },
  { key: 'port', title: 'Port', type: 'integer' },
];

/** Table IV's columns: the study's versions, SSL 2 and TLS 1.3 (after the study) beside them. */
export const VERSIONS = [
  { v: 'SSLv2', key: 'sslv2', title: 'SSL 2' },
  { v: 'SSLv3', key: 'sslv3', title: 'SSL 3.0' },
  { v: 'TLSv1.0', key: 'tls10', title: 'TLS 1.0' },
  { v: 'TLSv1.1', key: 'tls11', title: 'TLS 1.1' },
  { v: 'TLSv1.2', key: 'tls12', title: 'TLS 1.2' },
  { v: 'TLSv1.3', key: 'tls13', title: 'TLS 1.3' },
] as const;

const OCSP_VERDICTS = [
  { key: 'good', title: 'Good' },
  { key: 'revoked', title: 'Revoked' },
  { key: 'unknown', title: 'Unknown' },
  { key: 'stale', title: 'Past nextUpdate' },
  { key: 'not-for-leaf', title: 'Not for the leaf' },
  { key: 'not-successful', title: 'Not successful' },
  { key: 'unparsable', title: 'Unparsable' },
];

const at = (r: CountsRow): Row => ({ service: r.service, port: r.port });

export function versionsTable(rows: CountsRow[]): ReportTable {
  return {
    id: 'versions',
    title: 'Table IV: negotiated SSL/TLS versions, share of the servers where TLS was reached, per port and for the whole scan',
    paper: { ref: 'Table IV' },
    countingRule: 'per-server',
    columns: [
      ...SVC,
      { key: 'servers', title: 'Servers (TLS reached)', type: 'integer' },
      ...VERSIONS.flatMap((x) => [{ key: x.key, title: x.title, type: 'integer' as const }, { key: `${x.key}Share`, title: `${x.title} %`, type: 'share' as const }]),
      { key: 'other', title: 'Other or unknown', type: 'integer' },
    ],
    rows: rows.map((r) => {
      const known = VERSIONS.reduce((n, x) => n + (r.c.versions.get(x.v) ?? 0), 0);
      const row: Row = { ...at(r), servers: r.c.servers };
      for (const x of VERSIONS) {
        const n = r.c.versions.get(x.v) ?? 0;
        row[x.key] = n;
        row[`${x.key}Share`] = share(n, r.c.servers);
      }
      row.other = r.c.servers - known;
      return row;
    }),
  };
}

export function cipherTable(rows: CountsRow[]): ReportTable {
  return {
    id: 'cipher-categories',
    title: 'Fig. 3: negotiated cipher suites by key exchange and bulk cipher, share of the servers where TLS was reached',
    paper: { ref: 'Fig. 3', order: 1 },
    countingRule: 'per-server',
    columns: [
      ...SVC,
      { key: 'keyExchange', title: 'Key exchange', type: 'string' },
      { key: 'bulk', title: 'Bulk cipher', type: 'string' },
      { key: 'forwardSecrecy', title: 'Forward secrecy', type: 'boolean' },
      { key: 'servers', title: 'Servers', type: 'integer' },
      { key: 'share', title: 'Share', type: 'share' },
    ],
    // Only combinations that occur, in a fixed order: key exchange, then bulk family.
    rows: rows.flatMap((r) => KEY_EXCHANGE_FAMILIES.flatMap((kx) => BULK_FAMILIES.flatMap((bulk) => {
      const n = r.c.cells.get(`${kx}\t${bulk}`) ?? 0;
      return n ? [{ ...at(r), keyExchange: kx, bulk, forwardSecrecy: kx === 'ECDHE' || kx === 'DHE', servers: n, share: share(n, r.c.servers) }] : [];
    }))),
  };
}

const FS_COLUMNS: ReportColumn[] = [
  ...SVC,
  { key: 'connections', title: 'Connections (TLS reached)', type: 'integer' },
  { key: 'noFsConnections', title: 'Connections without FS', type: 'integer' },
  { key: 'noFsConnectionShare', title: 'Without FS (of connections)', type: 'share' },
  { key: 'servers', title: 'Servers (TLS reached)', type: 'integer' },
  { key: 'fsServers', title: 'Servers with FS', type: 'integer' },
  { key: 'noFsServers', title: 'Servers without FS', type: 'integer' },
  { key: 'noFsShare', title: 'Without FS (of servers)', type: 'share' },
];

function fsRow(r: CountsRow): Row {
  const noFsConn = r.c.connections - r.c.fsConnections;
  return {
    ...at(r),
    connections: r.c.connections,
    noFsConnections: noFsConn,
    noFsConnectionShare: share(noFsConn, r.c.connections),
    servers: r.c.servers,
    fsServers: r.c.forwardSecrecy,
    noFsServers: r.c.servers - r.c.forwardSecrecy,
    noFsShare: share(r.c.servers - r.c.forwardSecrecy, r.c.servers),
  };
}

export function forwardSecrecyTables(rows: CountsRow[], pooled: CountsRow): ReportTable[] {
  return [
    {
      id: 'forward-secrecy',
      title: 'Fig. 3, text: forward secrecy, whole scan (the study: "more than 30% of connections without forward secrecy")',
      paper: { ref: 'Fig. 3', order: 2 },
      countingRule: 'per-record',
      columns: FS_COLUMNS,
      rows: [fsRow(pooled)],
    },
    {
      id: 'forward-secrecy-by-port',
      title: 'Forward secrecy per service and port (beyond the study)',
      countingRule: 'per-record',
      columns: FS_COLUMNS,
      rows: rows.map(fsRow),
    },
  ];
}

function distribution(rows: CountsRow[], key: string, title: string, of: (c: CryptoCounts) => [Map<string, number>, number], cmp: (a: [string, number], b: [string, number]) => number): Pick<ReportTable, 'columns' | 'rows'> {
  return {
    columns: [...SVC, { key, title, type: 'string' }, { key: 'servers', title: 'Servers', type: 'integer' }, { key: 'share', title: 'Share', type: 'share' }],
    rows: rows.flatMap((r) => {
      const [m, total] = of(r.c);
      return [...m.entries()].sort(cmp).map(([k, n]) => ({ ...at(r), [key]: k, servers: n, share: share(n, total) }));
    }),
  };
}

type Entry = [string, number];
const byCount = (a: Entry, b: Entry) => b[1] - a[1] || a[0].localeCompare(b[0]);
const bySize = (a: Entry, b: Entry) => (Number(a[0]) || Infinity) - (Number(b[0]) || Infinity);

export function curveTables(rows: CountsRow[], pooled: CountsRow): ReportTable[] {
  const of = (c: CryptoCounts): [Map<string, number>, number] => [c.curves, c.ecdhe];
  return [
    { id: 'ecdhe-curves', title: 'ECDHE curves, share of the ECDHE handshakes, whole scan (the study\'s text: 97.2% secp256r1)', paper: { ref: 'Text: ECDHE curves' }, countingRule: 'per-server', ...distribution([pooled], 'curve', 'Curve', of, byCount) },
    { id: 'ecdhe-curves-by-port', title: 'ECDHE curves per service and port (beyond the study)', countingRule: 'per-server', ...distribution(rows, 'curve', 'Curve', of, byCount) },
  ];
}

export function dhTables(rows: CountsRow[], pooled: CountsRow): ReportTable[] {
  const of = (c: CryptoCounts): [Map<string, number>, number] => [c.dhBits, c.dhe];
  return [
    { id: 'dh-sizes', title: 'DHE prime sizes, share of the DHE handshakes, whole scan (the study\'s text: 1024/2048/768 bits = 76/22/1.4%)', paper: { ref: 'Text: DH sizes' }, countingRule: 'per-server', ...distribution([pooled], 'bits', 'Prime bits', of, bySize) },
    { id: 'dh-sizes-by-port', title: 'DHE prime sizes per service and port (beyond the study)', countingRule: 'per-server', ...distribution(rows, 'bits', 'Prime bits', of, bySize) },
  ];
}

const OCSP_COLUMNS: ReportColumn[] = [
  ...SVC,
  { key: 'connections', title: 'Connections (first flight seen)', type: 'integer' },
  { key: 'stapledConnections', title: 'Stapled connections', type: 'integer' },
  { key: 'connectionShare', title: 'Stapled (of connections)', type: 'share' },
  { key: 'servers', title: 'Servers (first flight seen)', type: 'integer' },
  { key: 'stapled', title: 'Stapling servers', type: 'integer' },
  { key: 'share', title: 'Stapling (of servers)', type: 'share' },
];

function ocspRow(r: CountsRow): Row {
  const c = r.c;
  return { ...at(r), connections: c.flightConnections, stapledConnections: c.stapledConnections, connectionShare: share(c.stapledConnections, c.flightConnections), servers: c.flight, stapled: c.stapled, share: share(c.stapled, c.flight) };
}

export function ocspTables(rows: CountsRow[], pooled: CountsRow): ReportTable[] {
  return [
    { id: 'ocsp-stapling', title: 'OCSP stapling, whole scan (the study\'s text: 836 stapled connections at 64 servers)', paper: { ref: 'Text: OCSP stapling' }, countingRule: 'per-server', columns: OCSP_COLUMNS, rows: [ocspRow(pooled)] },
    { id: 'ocsp-stapling-by-port', title: 'OCSP stapling per service and port (beyond the study)', countingRule: 'per-server', columns: OCSP_COLUMNS, rows: rows.map(ocspRow) },
    {
      id: 'ocsp-responses',
      title: 'What stapled OCSP responses say about the leaf (beyond the study)',
      countingRule: 'per-server',
      columns: [...SVC, { key: 'stapled', title: 'Stapling servers', type: 'integer' }, ...OCSP_VERDICTS.map((v) => ({ key: v.key, title: v.title, type: 'share' as const }))],
      rows: rows.filter((r) => r.c.stapled > 0).map((r) => ({
        ...at(r),
        stapled: r.c.stapled,
        ...Object.fromEntries(OCSP_VERDICTS.map((v) => [v.key, share(r.c.ocsp.get(v.key) ?? 0, r.c.stapled)])),
      })),
    },
  ];
}

export function weakTable(rows: CountsRow[]): ReportTable {
  return {
    id: 'weak-crypto',
    title: 'Weak protocol versions and suites negotiated, share of the servers where TLS was reached (beyond the study)',
    countingRule: 'per-server',
    columns: [...SVC, { key: 'weakness', title: 'Weakness', type: 'string' }, { key: 'servers', title: 'Servers', type: 'integer' }, { key: 'share', title: 'Share', type: 'share' }],
    rows: rows.flatMap((r) => [
      ...WEAKNESSES.map((w) => ({ ...at(r), weakness: w, servers: r.c.weak.get(w) ?? 0, share: share(r.c.weak.get(w) ?? 0, r.c.servers) })),
      { ...at(r), weakness: 'any of these', servers: r.c.anyWeak, share: share(r.c.anyWeak, r.c.servers) },
    ]),
  };
}
