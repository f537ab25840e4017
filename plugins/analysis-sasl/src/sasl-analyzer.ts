import type { Analyzer, ProbeRecord, Report, ReportTable } from '@wildtls/core';
import { ServerTally, serverKey, share } from '@wildtls/core';

/** Mechanisms that send the password in the clear (inside TLS or not). */
export const DEFAULT_PLAINTEXT_MECHANISMS = ['PLAIN', 'LOGIN'];

export interface SaslAnalyzerOptions {
  version: string;
  plaintextMechanisms?: string[];
  /** Most frequent combinations listed per service and port (0 = all). */
  topCombinations?: number;
}

interface Group {
  service: string;
  port: number;
  index: number;
  servers: number;
  /** Servers that offered at least one mechanism (before or after TLS): the denominator. */
  withSasl: number;
  mechanisms: Map<string, number>;
  combinations: Map<string, number>;
  plaintextOnly: number;
  plaintextFirst: number;
  beforeTlsAny: number;
  beforeTlsPlaintext: number;
  /** IMAP: servers that listed capabilities before TLS, and those among them with LOGINDISABLED. */
  imapCapsBefore: number;
  loginDisabled: number;
}

function isImap(r: ProbeRecord): boolean {
  return r.service.toLowerCase().startsWith('imap') || String(r.protocol ?? '').toLowerCase() === 'imap';
}

export class SaslAnalyzer implements Analyzer {
  private readonly groups = new Map<string, Group>();
  private readonly servers = new ServerTally();
  private readonly plaintext: Set<string>;
  private records = 0;
  private internalErrors = 0;

  constructor(private readonly opts: SaslAnalyzerOptions) {
    this.plaintext = new Set((opts.plaintextMechanisms ?? DEFAULT_PLAINTEXT_MECHANISMS).map((m) => m.toUpperCase()));
  }

  consume(r: ProbeRecord): void {
    this.records++;
    // Our own bug, not a measurement: left out of every count.
    if (r.status === 'internal-error') {
      this.internalErrors++;
      return;
    }
    const key = serverKey(r.ip, r.port);
    const before = normalize(r.sasl?.beforeTls);
    const after = normalize(r.sasl?.afterTls);
    const capsBefore = strings(r.capabilities?.beforeTls);
    if (!r.capabilities && !r.sasl) {
      this.servers.add(key);
      return;
    }
    const gk = `${r.service}\t${r.port}`;
    let g = this.groups.get(gk);
    if (!g) {
      g = { index: this.groups.size, service: r.service, port: r.port, servers: 0, withSasl: 0, mechanisms: new Map(), combinations: new Map(), plaintextOnly: 0, plaintextFirst: 0, beforeTlsAny: 0, beforeTlsPlaintext: 0, imapCapsBefore: 0, loginDisabled: 0 };
      this.groups.set(gk, g);
    }
    // Per server: the first record of an ip:port (within a service) that reports capabilities or SASL counts.
    if (!this.servers.add(key, g.index)) return;
    g.servers++;
    if (capsBefore && isImap(r)) {
      g.imapCapsBefore++;
      if (capsBefore.some((c) => c.toUpperCase() === 'LOGINDISABLED')) g.loginDisabled++;
    }
    // The list a client would use: after TLS when the server got there, else what it offered in the clear.
    const offered = after.length ? after : before;
    if (!offered.length) return;
    g.withSasl++;
    for (const m of new Set(offered)) inc(g.mechanisms, m);
    inc(g.combinations, offered.join(' '));
    if (offered.every((m) => this.plaintext.has(m))) g.plaintextOnly++;
    if (this.plaintext.has(offered[0]!)) g.plaintextFirst++;
    if (before.length) {
      g.beforeTlsAny++;
      if (before.some((m) => this.plaintext.has(m))) g.beforeTlsPlaintext++;
    }
  }

  finish(): Report {
    const groups = [...this.groups.values()].sort((a, b) => a.service.localeCompare(b.service) || a.port - b.port);
    const svc = [
      { key: 'service', title: 'Service', type: 'string' as const },
      { key: 'port', title: 'Port', type: 'integer' as const },
    ];
    const mechanisms: ReportTable = {
      id: 'mechanisms',
      title: 'SASL mechanisms offered (Tables VIII and IX)',
      countingRule: 'per-server',
      columns: [...svc, { key: 'mechanism', title: 'Mechanism', type: 'string' }, { key: 'servers', title: 'Servers', type: 'integer' }, { key: 'share', title: 'Share of servers with SASL', type: 'share' }],
      rows: groups.flatMap((g) => byCount(g.mechanisms).map(([mechanism, n]) => ({ service: g.service, port: g.port, mechanism, servers: n, share: share(n, g.withSasl) }))),
    };
    const top = this.opts.topCombinations ?? 0;
    const combinations: ReportTable = {
      id: 'combinations',
      title: 'Ordered mechanism combinations (Tables X and XI)',
      countingRule: 'per-server',
      columns: [...svc, { key: 'rank', title: 'Rank', type: 'integer' }, { key: 'mechanisms', title: 'Mechanisms (server order)', type: 'list' }, { key: 'servers', title: 'Servers', type: 'integer' }, { key: 'share', title: 'Share of servers with SASL', type: 'share' }],
      rows: groups.flatMap((g) => {
        const entries = byCount(g.combinations);
        return (top > 0 ? entries.slice(0, top) : entries).map(([combo, n], i) => ({ service: g.service, port: g.port, rank: i + 1, mechanisms: combo.split(' '), servers: n, share: share(n, g.withSasl) }));
      }),
    };
    const summary: ReportTable = {
      id: 'summary',
      title: 'Plaintext mechanisms and authentication before TLS',
      countingRule: 'per-server',
      columns: [
        ...svc,
        { key: 'servers', title: 'Servers reporting capabilities', type: 'integer' },
        { key: 'withSasl', title: 'Servers with SASL', type: 'integer' },
        { key: 'plaintextOnly', title: 'Only plaintext mechanisms', type: 'share' },
        { key: 'plaintextFirst', title: 'Plaintext mechanism first', type: 'share' },
        { key: 'beforeTlsAny', title: 'Any mechanism before TLS', type: 'share' },
        { key: 'beforeTlsPlaintext', title: 'Plaintext mechanism before TLS', type: 'share' },
        { key: 'loginDisabled', title: 'IMAP LOGINDISABLED before TLS', type: 'share' },
      ],
      rows: groups.map((g) => ({
        service: g.service,
        port: g.port,
        servers: g.servers,
        withSasl: g.withSasl,
        plaintextOnly: share(g.plaintextOnly, g.withSasl),
        plaintextFirst: share(g.plaintextFirst, g.withSasl),
        beforeTlsAny: share(g.beforeTlsAny, g.withSasl),
        beforeTlsPlaintext: share(g.beforeTlsPlaintext, g.withSasl),
        loginDisabled: g.imapCapsBefore ? share(g.loginDisabled, g.imapCapsBefore) : null,
      })),
    };
    return {
      analysis: { id: 'sasl', version: this.opts.version },
      countingRule: 'per-server',
      totals: { records: this.records, servers: this.servers.size, withSasl: groups.reduce((a, g) => a + g.withSasl, 0), internalErrors: this.internalErrors },
      tables: [mechanisms, combinations, summary],
      notes: [
        'Per server (ip:port within a service); its first record that reports capabilities or SASL counts.',
        "A server's mechanisms are those offered after TLS, or those offered before TLS when it never got to TLS.",
        'Records with status internal-error (a wildtls bug) are left out of every count (totals.internalErrors).',
        `Plaintext mechanisms: ${[...this.plaintext].join(', ')}. Shares are of the servers with SASL; LOGINDISABLED is of the IMAP servers that listed capabilities before TLS.`,
      ],
    };
  }
}

/** The strings of a list field; undefined when the field is absent or not a list. */
function strings(list: unknown): string[] | undefined {
  return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : undefined;
}

function normalize(list: unknown): string[] {
  return (strings(list) ?? []).map((m) => m.trim().toUpperCase()).filter((m) => m.length > 0);
}

function inc(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

function byCount(m: Map<string, number>): Array<[string, number]> {
  return [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
