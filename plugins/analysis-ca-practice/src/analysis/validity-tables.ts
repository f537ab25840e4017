import { share, type ReportTable } from '@wildtls/core';
import { X509_V_TEXT } from '../openssl/verify-errors.js';
import { ERROR_CLASS, VALIDITY_CLASSES, primaryClass, type ValidationError, type ValidityClass } from '../validate/errors.js';
import { ChainService } from './chain-service.js';
import { countRows, eachWeighted, groupRows, keyCols, shareColumns, type GroupView, type Row } from './table-helpers.js';

export const CLASS_TITLES: Record<ValidityClass, string> = {
  valid: 'Valid',
  'self-signed': 'Self-signed',
  expired: 'Expired',
  'not-yet-valid': 'Not yet valid',
  'unknown-issuer': 'Unknown issuer / broken chain',
  'missing-intermediate': 'Missing intermediate',
  'bad-signature': 'Bad signature',
  'hostname-mismatch': 'Host name mismatch',
  other: 'Other error',
};

export interface ValidityOptions {
  /** The profile validity is judged under; only `openssl` is the study's method, so only then are Fig. 4 and the text statistics marked as the study's. */
  profile: string;
  /** Count host name mismatches as a validity class (strict and webpki profiles). */
  hostnamesInClasses: boolean;
  checkHostnames: boolean;
}

/** Fig. 4 (overlapping classes), Fig. 5 (OpenSSL's first error), the exclusive class, host names, and every error. */
export function validityTables(groups: GroupView[], o: ValidityOptions): ReportTable[] {
  const classes = o.hostnamesInClasses ? VALIDITY_CLASSES : VALIDITY_CLASSES.filter((c) => c !== 'hostname-mismatch');
  const of = (e: Parameters<typeof ChainService.classes>[0], m: boolean) => ChainService.classes(e, o.hostnamesInClasses && m);
  const study = o.profile === 'openssl';
  const tables: ReportTable[] = [
    {
      id: 'validity',
      title: study
        ? "Fig. 4: certificate validity by service and port: every class a server's chain is in (overlapping, shares of servers with a chain sum past 100%)"
        : `Certificate validity under the ${o.profile} profile by service and port (beyond the study: Fig. 4 is the openssl profile's): every class a server's chain is in (overlapping, shares of servers with a chain sum past 100%)`,
      ...(study ? { paper: { ref: 'Fig. 4' } } : {}),
      countingRule: 'per-server',
      columns: [...keyCols, ...shareColumns(classes, CLASS_TITLES)],
      rows: countRows(groups, classes, of),
    },
    primaryErrorTable(groups),
    {
      id: 'validity-exclusive',
      title: 'Validity class per server by a precedence of our own (exclusive, sums to 1; not a figure of the study: see Fig. 5 for the error OpenSSL reports first)',
      countingRule: 'per-server',
      columns: [...keyCols, ...shareColumns(classes, CLASS_TITLES)],
      rows: countRows(groups, classes, (e, m) => [primaryClass(of(e, m))]),
    },
  ];
  if (o.checkHostnames) tables.push(hostnameTable(groups, o.hostnamesInClasses));
  tables.push(errorTable(groups, o.hostnamesInClasses));
  return tables;
}

/** One (service, port) population for Fig. 5: how many units (servers or connections) got each first OpenSSL error, of how many units with a chain. */
export interface ErrorCounts {
  service: string;
  port: number;
  counts: Map<number, number>;
  of: number;
}

/** Fig. 5: per server, the first error `openssl verify` prints for its chain (0: it verifies), with the group's denominator. */
function primaryErrorTable(groups: GroupView[]): ReportTable {
  const populations = groups.map((g) => {
    const counts = new Map<number, number>();
    for (const [e, t] of g.tally) counts.set(e.openssl.code, (counts.get(e.openssl.code) ?? 0) + t.servers);
    return { service: g.service, port: g.port, counts, of: g.servers };
  });
  return {
    id: 'primary-error',
    title: 'Fig. 5: the error `openssl verify` reports first for each server\'s chain, by service and port (exclusive: shares of the servers with a chain; code 0: the chain verifies)',
    // Whatever the profile: every verdict carries OpenSSL's first error.
    paper: { ref: 'Fig. 5' },
    countingRule: 'per-server',
    columns: primaryErrorColumns('servers'),
    rows: primaryErrorRows(populations, 'servers'),
  };
}

/** Fig. 5's columns, counting `unit` (servers or connections). */
export function primaryErrorColumns(unit: 'servers' | 'connections'): ReportTable['columns'] {
  const Unit = unit === 'servers' ? 'Servers' : 'Connections';
  return [
    { key: 'service', title: 'Service', type: 'string' },
    { key: 'port', title: 'Port', type: 'integer' },
    { key: 'code', title: 'X509_V_ERR code', type: 'integer' },
    { key: 'error', title: 'OpenSSL error', type: 'string' },
    { key: unit, title: Unit, type: 'integer' },
    { key: 'of', title: `${Unit} with a chain`, type: 'integer' },
    { key: 'share', title: 'Share', type: 'share' },
  ];
}

/** Fig. 5's rows: per population, one row per first error (most units first), and an `all` row set when there are several populations. */
export function primaryErrorRows(populations: ErrorCounts[], unit: 'servers' | 'connections'): Row[] {
  const rows: Row[] = [];
  const total = new Map<number, number>();
  let all = 0;
  const emit = (service: string, port: number | null, counts: Map<number, number>, of: number) => {
    for (const [code, n] of [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])) {
      rows.push({ service, port, code, error: X509_V_TEXT[code] ?? `error ${code}`, [unit]: n, of, share: share(n, of) });
    }
  };
  for (const p of populations) {
    for (const [c, n] of p.counts) total.set(c, (total.get(c) ?? 0) + n);
    all += p.of;
    emit(p.service, p.port, p.counts, p.of);
  }
  if (populations.length > 1) emit('all', null, total, all);
  return rows;
}

function hostnameTable(groups: GroupView[], inClasses: boolean): ReportTable {
  const rows = groupRows(
    groups,
    (g) => {
      let named = 0;
      let mismatched = 0;
      for (const t of g.tally.values()) {
        named += t.named;
        mismatched += t.mismatched;
      }
      return { servers: g.servers, named, mismatched };
    },
    (c) => ({ servers: c.servers!, named: c.named!, mismatched: c.mismatched!, share: share(c.mismatched!, c.named!) }),
  );
  return {
    id: 'hostnames',
    title: `Host name mismatch by service and port: servers whose record named a domain the leaf's SAN entries do not cover${inClasses ? ' (also counted in the validity table under this profile)' : ' (not part of validity under the openssl profile)'}`,
    countingRule: 'per-server',
    columns: [
      ...keyCols,
      { key: 'named', title: 'Servers probed under a domain', type: 'integer' },
      { key: 'mismatched', title: 'Host name mismatch', type: 'integer' },
      { key: 'share', title: 'Share of servers probed under a domain', type: 'share' },
    ],
    rows,
  };
}

function errorTable(groups: GroupView[], hostnames: boolean): ReportTable {
  const errCount = new Map<string, number>();
  let servers = 0;
  for (const g of groups) {
    servers += g.servers;
    eachWeighted(g, (e, m, n) => {
      for (const err of e.errors) errCount.set(err, (errCount.get(err) ?? 0) + n);
      if (m && hostnames) errCount.set('hostname-mismatch', (errCount.get('hostname-mismatch') ?? 0) + n);
    });
  }
  return {
    id: 'errors',
    title: 'Validation errors over all servers (every error of each chain)',
    countingRule: 'per-server',
    columns: [
      { key: 'error', title: 'Error', type: 'string' },
      { key: 'class', title: 'Class', type: 'string' },
      { key: 'servers', title: 'Servers', type: 'integer' },
      { key: 'share', title: 'Share of servers with a chain', type: 'share' },
    ],
    rows: [...errCount]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([e, n]) => ({ error: e, class: ERROR_CLASS[e as ValidationError], servers: n, share: share(n, servers) })),
  };
}
