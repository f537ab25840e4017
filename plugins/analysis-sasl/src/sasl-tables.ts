import type { ReportCell, ReportColumn, ReportTable } from '@wildtls/core';
import { MAX_CAPABILITIES, MAX_SASL_MECHANISMS, share } from '@wildtls/core';
import { byCount, type SaslTally } from './sasl-tally.js';

/** One service and port: its populations. */
export interface SaslGroup {
  service: string;
  port: number;
  index: number;
  /** Active records, per server: servers that reported capabilities after TLS (Tables VIII-XI). */
  after: SaslTally;
  /** Active records, per server: servers that listed capabilities before STARTTLS (Tables XII-XIII). */
  before: SaslTally;
  /** Passive records (one per connection), per server and per connection, before STARTTLS. */
  passiveServers: SaslTally;
  passiveConnections: SaslTally;
}

export interface SaslTableOptions {
  topCombinations: number;
  /** Passive records were seen: the before-STARTTLS tables get a source column and connection counts. */
  withPassive: boolean;
  newTally: () => SaslTally;
}

const SVC: ReportColumn[] = [
  { key: 'service', title: 'Service', type: 'string' },
  { key: 'port', title: 'Port', type: 'integer' },
];

/** One row set of a before-STARTTLS table: active servers, or passive servers with their connections. */
interface BeforeSet {
  service: string;
  port: number | null;
  source: 'active' | 'passive';
  servers: SaslTally;
  connections?: SaslTally;
}

function beforeSets(groups: SaslGroup[], withPassive: boolean): BeforeSet[] {
  const sets: BeforeSet[] = [];
  for (const g of groups) {
    if (g.before.population) sets.push({ service: g.service, port: g.port, source: 'active', servers: g.before });
    if (withPassive && g.passiveServers.population) sets.push({ service: g.service, port: g.port, source: 'passive', servers: g.passiveServers, connections: g.passiveConnections });
  }
  return sets;
}

function pooled(groups: SaslGroup[], pick: (g: SaslGroup) => SaslTally, newTally: () => SaslTally): SaslTally {
  const t = newTally();
  for (const g of groups) t.merge(pick(g));
  return t;
}

export function buildSaslTables(groups: SaslGroup[], o: SaslTableOptions): ReportTable[] {
  const top = (entries: Array<[string, number]>) => (o.topCombinations > 0 ? entries.slice(0, o.topCombinations) : entries);
  const after = groups.filter((g) => g.after.population > 0);
  const before = beforeSets(groups, o.withPassive);
  const sourceCol: ReportColumn[] = o.withPassive ? [{ key: 'source', title: 'Source', type: 'string' }] : [];
  const connCols = (what: string): ReportColumn[] =>
    o.withPassive
      ? [
          { key: 'connections', title: 'Connections (passive)', type: 'integer' },
          { key: 'connectionShare', title: `Share of connections ${what}`, type: 'share' },
        ]
      : [];
  type Cells = Record<string, ReportCell>;
  const connCells = (s: BeforeSet, n: (t: SaslTally) => number): Cells =>
    o.withPassive ? { connections: s.connections ? n(s.connections) : null, connectionShare: s.connections ? share(n(s.connections), s.connections.population) : null } : {};
  const src = (s: BeforeSet): Cells => (o.withPassive ? { source: s.source } : {});

  const mechanisms: ReportTable = {
    id: 'mechanisms',
    title: 'Tables VIII-IX: SASL mechanisms offered after TLS (share of the servers offering SASL after TLS)',
    paper: { ref: 'Tables VIII-XI', order: 1 },
    countingRule: 'per-server',
    columns: [...SVC, { key: 'mechanism', title: 'Mechanism', type: 'string' }, { key: 'servers', title: 'Servers', type: 'integer' }, { key: 'share', title: 'Share of servers offering SASL after TLS', type: 'share' }],
    rows: after.flatMap((g) => byCount(g.after.mechanisms).map(([mechanism, n]) => ({ service: g.service, port: g.port, mechanism, servers: n, share: share(n, g.after.withSasl) }))),
  };
  const combinations: ReportTable = {
    id: 'combinations',
    title: 'Tables X-XI: SASL mechanism combinations offered after TLS, in server order (share of the servers offering SASL after TLS)',
    paper: { ref: 'Tables VIII-XI', order: 2 },
    countingRule: 'per-server',
    columns: [...SVC, { key: 'rank', title: 'Rank', type: 'integer' }, { key: 'mechanisms', title: 'Mechanisms (server order)', type: 'list' }, { key: 'servers', title: 'Servers', type: 'integer' }, { key: 'share', title: 'Share of servers offering SASL after TLS', type: 'share' }],
    rows: after.flatMap((g) => top(byCount(g.after.combinations)).map(([combo, n], i) => ({ service: g.service, port: g.port, rank: i + 1, mechanisms: combo.split(' '), servers: n, share: share(n, g.after.withSasl) }))),
  };
  const afterRow = (service: string, port: number | null, t: SaslTally) => ({
    service,
    port,
    servers: t.population,
    withSasl: t.withSasl,
    noSasl: t.population - t.withSasl,
    anyPlaintext: share(t.anyPlaintext, t.withSasl),
    anyCram: share(t.anyCram, t.withSasl),
    anyScram: share(t.anyScram, t.withSasl),
    anyCramOrScram: share(t.anyCramOrScram, t.withSasl),
    plaintextOnly: share(t.plaintextOnly, t.withSasl),
    plaintextFirst: share(t.plaintextFirst, t.withSasl),
  });
  const afterText: ReportTable = {
    id: 'after-tls-text',
    title: 'Tables VIII-XI, text: plaintext and challenge-response mechanisms after TLS (shares of the servers offering SASL after TLS; "all" pools every port)',
    paper: { ref: 'Tables VIII-XI', order: 3 },
    countingRule: 'per-server',
    columns: [
      ...SVC,
      { key: 'servers', title: 'Servers reporting capabilities after TLS', type: 'integer' },
      { key: 'withSasl', title: 'Offering SASL after TLS', type: 'integer' },
      { key: 'noSasl', title: 'No SASL after TLS', type: 'integer' },
      { key: 'anyPlaintext', title: 'Any plaintext mechanism', type: 'share' },
      { key: 'anyCram', title: 'Any CRAM-*', type: 'share' },
      { key: 'anyScram', title: 'Any SCRAM-*', type: 'share' },
      { key: 'anyCramOrScram', title: 'Any CRAM-* or SCRAM-*', type: 'share' },
      { key: 'plaintextOnly', title: 'Only plaintext mechanisms', type: 'share' },
      { key: 'plaintextFirst', title: 'Plaintext mechanism first', type: 'share' },
    ],
    rows: after.length ? [...after.map((g) => afterRow(g.service, g.port, g.after)), afterRow('all', null, pooled(after, (g) => g.after, o.newTally))] : [],
  };

  const beforeMechanisms: ReportTable = {
    id: 'before-tls-mechanisms',
    title: `Tables XII-XIII: SASL mechanisms offered before STARTTLS (share of all servers that listed capabilities before STARTTLS${o.withPassive ? '; passive: and of connections' : ''})`,
    paper: { ref: 'Tables XII-XIII', order: 1 },
    countingRule: 'per-server',
    columns: [...SVC, ...sourceCol, { key: 'mechanism', title: 'Mechanism', type: 'string' }, { key: 'servers', title: 'Servers', type: 'integer' }, { key: 'share', title: 'Share of servers listing capabilities before STARTTLS', type: 'share' }, ...connCols('listing capabilities before STARTTLS')],
    rows: before.flatMap((s) =>
      byCount(s.servers.mechanisms).map(([mechanism, n]) => ({ service: s.service, port: s.port, ...src(s), mechanism, servers: n, share: share(n, s.servers.population), ...connCells(s, (t) => t.mechanisms.get(mechanism) ?? 0) })),
    ),
  };
  const beforeCombinations: ReportTable = {
    id: 'before-tls-combinations',
    title: `Tables XII-XIII: SASL mechanism combinations offered before STARTTLS, in server order (share of all servers that listed capabilities before STARTTLS${o.withPassive ? '; passive: and of connections' : ''})`,
    paper: { ref: 'Tables XII-XIII', order: 2 },
    countingRule: 'per-server',
    columns: [...SVC, ...sourceCol, { key: 'rank', title: 'Rank', type: 'integer' }, { key: 'mechanisms', title: 'Mechanisms (server order)', type: 'list' }, { key: 'servers', title: 'Servers', type: 'integer' }, { key: 'share', title: 'Share of servers listing capabilities before STARTTLS', type: 'share' }, ...connCols('listing capabilities before STARTTLS')],
    rows: before.flatMap((s) =>
      top(byCount(s.servers.combinations)).map(([combo, n], i) => ({ service: s.service, port: s.port, ...src(s), rank: i + 1, mechanisms: combo.split(' '), servers: n, share: share(n, s.servers.population), ...connCells(s, (t) => t.combinations.get(combo) ?? 0) })),
    ),
  };
  const beforeRow = (s: BeforeSet): Cells => ({
    service: s.service,
    port: s.port,
    ...src(s),
    servers: s.servers.population,
    withSasl: share(s.servers.withSasl, s.servers.population),
    anyPlaintext: share(s.servers.anyPlaintext, s.servers.population),
    loginDisabled: s.servers.imapWithCapabilities ? share(s.servers.loginDisabled, s.servers.imapWithCapabilities) : null,
    ...(o.withPassive ? { connections: s.connections?.population ?? null, connectionsAnyPlaintext: s.connections ? share(s.connections.anyPlaintext, s.connections.population) : null } : {}),
  });
  const pooledBefore = (source: 'active' | 'passive'): BeforeSet[] => {
    const sets = before.filter((s) => s.source === source);
    if (!sets.length) return [];
    const servers = o.newTally();
    for (const s of sets) servers.merge(s.servers);
    if (source === 'active') return [{ service: 'all', port: null, source, servers }];
    const connections = o.newTally();
    for (const s of sets) connections.merge(s.connections!);
    return [{ service: 'all', port: null, source, servers, connections }];
  };
  const beforeText: ReportTable = {
    id: 'before-tls-text',
    title: 'Tables XII-XIII, text: SASL before STARTTLS (shares of all servers that listed capabilities before STARTTLS; LOGINDISABLED of the IMAP ones; "all" pools every port)',
    paper: { ref: 'Tables XII-XIII', order: 3 },
    countingRule: 'per-server',
    columns: [
      ...SVC,
      ...sourceCol,
      { key: 'servers', title: 'Servers listing capabilities before STARTTLS', type: 'integer' },
      { key: 'withSasl', title: 'Any SASL mechanism before STARTTLS', type: 'share' },
      { key: 'anyPlaintext', title: 'Any plaintext mechanism before STARTTLS', type: 'share' },
      { key: 'loginDisabled', title: 'IMAP LOGINDISABLED before STARTTLS', type: 'share' },
      ...(o.withPassive
        ? [
            { key: 'connections', title: 'Connections (passive)', type: 'integer' as const },
            { key: 'connectionsAnyPlaintext', title: 'Connections: any plaintext mechanism before STARTTLS', type: 'share' as const },
          ]
        : []),
    ],
    rows: [...before, ...pooledBefore('active'), ...pooledBefore('passive')].map(beforeRow),
  };
  return [mechanisms, combinations, afterText, beforeMechanisms, beforeCombinations, beforeText];
}

export function saslNotes(plaintext: string[], withPassive: boolean): string[] {
  return [
    'Per server: an ip:port within a service and port; its first record that reports capabilities or SASL counts. Records with status internal-error (a wildtls bug) are left out of every count (totals.internalErrors).',
    'Tables VIII-XI (after TLS): the servers that reached TLS and reported capabilities after it (STARTTLS ports: after the upgrade; implicit-TLS ports: the only capabilities there are). Mechanisms come from the after-TLS list only: a server offering none after TLS has no SASL, whatever it offered in the clear. Shares are of the servers offering SASL after TLS (the study\'s ">99% offer PLAIN or LOGIN" is of those); the servers without are counted apart (No SASL after TLS).',
    'Tables XII-XIII (before STARTTLS): shares of ALL servers that listed capabilities before STARTTLS, with or without SASL (implicit-TLS ports have no such phase).',
    `A record keeps at most ${MAX_SASL_MECHANISMS} mechanisms and ${MAX_CAPABILITIES} capability entries per phase (the first, in server order) and counts the rest (sasl.truncated, capabilities.truncated). A cut list counts with what it kept: the kept mechanisms are offered, plaintext-only and plaintext-first are judged from them, LOGINDISABLED from the kept capabilities. totals.saslTruncatedAfterTls and saslTruncatedBeforeTls count the servers of each population whose mechanism list was cut.`,
    withPassive
      ? 'Passive records (source: passive) are one connection each: their rows give servers (first record per ip:port) and connections (every record); active records give servers only. Tables VIII-XI count active records only (a passive observer sees nothing inside TLS).'
      : 'By connections (Tables XII-XIII as the study also gives them) needs passive records (source: passive, one per connection); with active records only, the tables are by server.',
    `Plaintext mechanisms: ${plaintext.join(', ')}. CRAM-* and SCRAM-* are challenge-response mechanisms (CRAM-MD5, SCRAM-SHA-1, SCRAM-SHA-256 and their -PLUS variants...). Plaintext first: the server lists a plaintext mechanism first (its preference).`,
  ];
}
