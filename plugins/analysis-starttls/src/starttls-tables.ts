import type { ReportCell, ReportTable } from '@wildtls/core';
import { share } from '@wildtls/core';
import type { StartTlsCounts } from './starttls-counts.js';

export interface CountsRow {
  service: string;
  port: number | null;
  /** null for the whole-scan row. */
  mode: string | null;
  c: StartTlsCounts;
}

type Row = Record<string, ReportCell>;

export function tableI(rows: CountsRow[]): ReportTable {
  return {
    id: 'tls-overview',
    title: 'Table I: hosts with the port open, successful SSL/TLS handshakes (TLS reached), unique end-host and intermediate certificates, noise hosts',
    paper: { ref: 'Table I' },
    countingRule: 'per-server',
    columns: [
      { key: 'service', title: 'Service', type: 'string' },
      { key: 'port', title: 'Port', type: 'integer' },
      { key: 'mode', title: 'Mode', type: 'string' },
      { key: 'hosts', title: 'Hosts (port open)', type: 'integer' },
      { key: 'tls', title: 'Successful SSL/TLS', type: 'integer' },
      { key: 'tlsShare', title: 'SSL/TLS (of hosts)', type: 'share' },
      { key: 'leafUnique', title: 'Unique end-host certs', type: 'integer' },
      { key: 'leafUniqueShare', title: 'Unique (of successful)', type: 'share' },
      { key: 'interTotal', title: 'Intermediate certs', type: 'integer' },
      { key: 'interUnique', title: 'Unique intermediates', type: 'integer' },
      { key: 'interUniqueShare', title: 'Unique (of intermediates)', type: 'share' },
      { key: 'noise', title: 'Noise hosts (no byte)', type: 'integer' },
      { key: 'noiseShare', title: 'Noise (of hosts)', type: 'share' },
    ],
    rows: rows.map(({ service, port, mode, c }) => ({
      service, port, mode,
      hosts: c.hosts,
      tls: c.tls,
      tlsShare: share(c.tls, c.hosts),
      leafUnique: c.leafUniqueCount,
      leafUniqueShare: share(c.leafUniqueCount, c.tls),
      interTotal: c.interTotal,
      interUnique: c.interUniqueCount,
      interUniqueShare: share(c.interUniqueCount, c.interTotal),
      noise: c.noise,
      noiseShare: share(c.noise, c.hosts),
    })),
  };
}

export function tableIII(rows: CountsRow[]): ReportTable {
  return {
    id: 'starttls-support',
    title: 'Table III: STARTTLS supported & upgraded, share of the hosts with the port open',
    paper: { ref: 'Table III' },
    countingRule: 'per-server',
    columns: [
      { key: 'service', title: 'Service', type: 'string' },
      { key: 'port', title: 'Port', type: 'integer' },
      { key: 'hosts', title: 'Hosts (port open)', type: 'integer' },
      { key: 'upgraded', title: 'STARTTLS supported & upgraded', type: 'integer' },
      { key: 'upgradedShare', title: 'Upgraded (of hosts)', type: 'share' },
    ],
    rows: rows.filter((r) => r.mode === 'starttls').map(({ service, port, c }) => ({
      service, port, hosts: c.hosts, upgraded: c.upgraded, upgradedShare: share(c.upgraded, c.hosts),
    })),
  };
}

/** Funnel steps: [label, count, share of hosts?, share of answered?]; STARTTLS steps on STARTTLS rows only. */
function steps(c: StartTlsCounts, starttls: boolean): Array<[string, number, boolean, boolean]> {
  return [
    ['probed', c.probed, false, false],
    ['port open', c.hosts, false, false],
    ['noise (no byte)', c.noise, true, false],
    ['answered', c.answered, true, false],
    ...(starttls ? [['STARTTLS offered', c.offered, true, true], ['STARTTLS accepted (upgraded)', c.upgraded, true, true]] as Array<[string, number, boolean, boolean]> : []),
    ['TLS reached (ServerHello)', c.tls, true, true],
    ['handshake completed', c.completed, true, true],
  ];
}

export function funnelTable(rows: CountsRow[]): ReportTable {
  return {
    id: 'starttls-funnel',
    title: 'How far servers get, per service and port (beyond the study)',
    countingRule: 'per-server',
    columns: [
      { key: 'service', title: 'Service', type: 'string' },
      { key: 'port', title: 'Port', type: 'integer' },
      { key: 'mode', title: 'Mode', type: 'string' },
      { key: 'step', title: 'Step', type: 'string' },
      { key: 'servers', title: 'Servers', type: 'integer' },
      { key: 'ofHosts', title: 'Of hosts (port open)', type: 'share' },
      { key: 'ofAnswered', title: 'Of answered', type: 'share' },
    ],
    rows: rows.flatMap(({ service, port, mode, c }) => steps(c, mode === 'starttls').map(([step, n, h, a]): Row => ({
      service, port, mode, step, servers: n,
      ofHosts: h ? share(n, c.hosts) : null,
      ofAnswered: a ? share(n, c.answered) : null,
    }))),
  };
}
