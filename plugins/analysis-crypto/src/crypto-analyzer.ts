import type { Analyzer, ProbeRecord, Report, ReportTable } from '@wildtls/core';
import { CIPHER_CATEGORIES, cipherCategory } from './cipher-category.js';
import { judgeStapledOcsp } from './ocsp-response.js';
import { ServerTally, serverKey, share } from '@wildtls/core';

interface Group {
  service: string;
  port: number;
  index: number;
  /** Servers whose record shows a ServerHello (completed or not): the denominator of every share. */
  negotiated: number;
  /** Of those, servers whose handshake completed. */
  completed: number;
  /** Servers whose whole first flight was seen (certificates, stapled OCSP): the OCSP denominator. */
  flightSeen: number;
  versions: Map<string, number>;
  categories: Map<string, number>;
  ecdhe: number;
  groups: Map<string, number>;
  dhe: number;
  dheBits: Map<string, number>;
  stapled: number;
  /** Stapled responses by verdict: good, revoked, unknown, stale, not-for-leaf, not-successful, unparsable. */
  ocsp: Map<string, number>;
}

export interface CryptoAnalyzerOptions {
  version: string;
}

const TLS_VERSION_ORDER = ['SSLv2', 'SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** Columns of ocsp-responses: the verdicts of ocsp-response.ts, plus "stale" (overlapping good/revoked/unknown). */
const OCSP_VERDICTS = [
  { key: 'good', title: 'Good' },
  { key: 'revoked', title: 'Revoked' },
  { key: 'unknown', title: 'Unknown' },
  { key: 'stale', title: 'Past nextUpdate' },
  { key: 'not-for-leaf', title: 'Not for the leaf' },
  { key: 'not-successful', title: 'Not successful' },
  { key: 'unparsable', title: 'Unparsable' },
];

/**
 * A ServerHello arrived: the record says which version and suite the server
 * chose, whether our engine then completed the handshake or not (observe-only,
 * a suite it does not complete, a failure later in the handshake).
 */
function serverHelloSeen(tls: ProbeRecord['tls']): boolean {
  if (typeof tls !== 'object' || tls === null) return false;
  return tls.completed === true || (tls.version !== undefined && tls.cipherSuite !== undefined);
}

/** The server's whole first flight was read: the handshake completed, or stopped after that flight with its certificates. */
function firstFlightSeen(tls: NonNullable<ProbeRecord['tls']>): boolean {
  if (tls.completed === true) return true;
  return typeof tls.notCompletedReason === 'string' && Array.isArray(tls.chain) && tls.chain.length > 0;
}

export class CryptoAnalyzer implements Analyzer {
  private readonly groups = new Map<string, Group>();
  private readonly servers = new ServerTally();
  private records = 0;
  private internalErrors = 0;

  constructor(private readonly opts: CryptoAnalyzerOptions) {}

  consume(r: ProbeRecord): void {
    this.records++;
    // Our own bug, not a measurement: left out of every count.
    if (r.status === 'internal-error') {
      this.internalErrors++;
      return;
    }
    const key = serverKey(r.ip, r.port);
    const tls = r.tls;
    if (!serverHelloSeen(tls)) {
      this.servers.add(key);
      return;
    }
    const gk = `${r.service}\t${r.port}`;
    let g = this.groups.get(gk);
    if (!g) {
      g = { index: this.groups.size, service: r.service, port: r.port, negotiated: 0, completed: 0, flightSeen: 0, versions: new Map(), categories: new Map(), ecdhe: 0, groups: new Map(), dhe: 0, dheBits: new Map(), stapled: 0, ocsp: new Map() };
      this.groups.set(gk, g);
    }
    // Per server: the first record of an ip:port with a ServerHello counts (a server's choice does not
    // depend on whether our engine completed; one pass, no per-server state beyond the tally).
    if (!this.servers.add(key, g.index) || !tls) return;
    g.negotiated++;
    if (tls.completed === true) g.completed++;
    inc(g.versions, typeof tls.version === 'string' ? tls.version : 'unknown');
    const category = cipherCategory(tls);
    inc(g.categories, category);
    const kx = tls.keyExchange;
    const group = typeof kx?.group === 'string' ? kx.group : undefined;
    const ffdhe = group?.toLowerCase().startsWith('ffdhe') ?? false;
    if (category === 'ECDHE' || kx?.kind === 'ECDHE' || (kx?.kind === 'TLS13' && !ffdhe)) {
      g.ecdhe++;
      inc(g.groups, group ?? 'unknown');
    } else if (category === 'DHE' || kx?.kind === 'DHE' || (kx?.kind === 'TLS13' && ffdhe)) {
      g.dhe++;
      inc(g.dheBits, Number.isInteger(kx?.bits) ? String(kx?.bits) : 'unknown');
    }
    if (!firstFlightSeen(tls)) return;
    g.flightSeen++;
    if (tls.ocspStapled === true) {
      g.stapled++;
      const chain: unknown = tls.chain;
      const leaf = Array.isArray(chain) && typeof chain[0] === 'string' ? chain[0] : undefined;
      const at = new Date(r.startedAt);
      const v = typeof tls.ocspResponse === 'string' ? judgeStapledOcsp(tls.ocspResponse, leaf, Number.isNaN(at.getTime()) ? new Date() : at) : { kind: 'unparsable' as const };
      inc(g.ocsp, v.kind);
      if ('stale' in v && v.stale) inc(g.ocsp, 'stale');
    }
  }

  finish(): Report {
    const groups = [...this.groups.values()].sort((a, b) => a.service.localeCompare(b.service) || a.port - b.port);
    const svc = [
      { key: 'service', title: 'Service', type: 'string' as const },
      { key: 'port', title: 'Port', type: 'integer' as const },
    ];
    const versions: ReportTable = {
      id: 'versions',
      title: 'Negotiated protocol version (Table IV)',
      countingRule: 'per-server',
      columns: [...svc, { key: 'version', title: 'Version', type: 'string' }, { key: 'servers', title: 'Servers', type: 'integer' }, { key: 'share', title: 'Share', type: 'share' }],
      rows: groups.flatMap((g) => sorted(g.versions, versionOrder).map(([version, n]) => ({ service: g.service, port: g.port, version, servers: n, share: share(n, g.negotiated) }))),
    };
    const categories: ReportTable = {
      id: 'cipher-categories',
      title: 'Cipher category of the negotiated suite (Fig. 3)',
      countingRule: 'per-server',
      columns: [...svc, { key: 'category', title: 'Category', type: 'string' }, { key: 'servers', title: 'Servers', type: 'integer' }, { key: 'share', title: 'Share', type: 'share' }],
      rows: groups.flatMap((g) => CIPHER_CATEGORIES.map((c) => ({ service: g.service, port: g.port, category: c, servers: g.categories.get(c) ?? 0, share: share(g.categories.get(c) ?? 0, g.negotiated) }))),
    };
    const ecdhe: ReportTable = {
      id: 'ecdhe-groups',
      title: 'ECDHE groups (share of ECDHE handshakes)',
      countingRule: 'per-server',
      columns: [...svc, { key: 'group', title: 'Group', type: 'string' }, { key: 'servers', title: 'Servers', type: 'integer' }, { key: 'share', title: 'Share', type: 'share' }],
      rows: groups.flatMap((g) => sorted(g.groups, byCount).map(([group, n]) => ({ service: g.service, port: g.port, group, servers: n, share: share(n, g.ecdhe) }))),
    };
    const dhe: ReportTable = {
      id: 'dhe-sizes',
      title: 'DHE prime sizes (share of DHE handshakes)',
      countingRule: 'per-server',
      columns: [...svc, { key: 'bits', title: 'Prime bits', type: 'string' }, { key: 'servers', title: 'Servers', type: 'integer' }, { key: 'share', title: 'Share', type: 'share' }],
      rows: groups.flatMap((g) => sorted(g.dheBits, numericKey).map(([bits, n]) => ({ service: g.service, port: g.port, bits, servers: n, share: share(n, g.dhe) }))),
    };
    const ocsp: ReportTable = {
      id: 'ocsp-stapling',
      title: 'OCSP stapling',
      countingRule: 'per-server',
      columns: [...svc, { key: 'servers', title: 'Servers (first flight seen)', type: 'integer' }, { key: 'stapled', title: 'OCSP stapled', type: 'integer' }, { key: 'share', title: 'Share', type: 'share' }],
      rows: groups.map((g) => ({ service: g.service, port: g.port, servers: g.flightSeen, stapled: g.stapled, share: share(g.stapled, g.flightSeen) })),
    };
    const ocspResponses: ReportTable = {
      id: 'ocsp-responses',
      title: 'What stapled OCSP responses say about the leaf (beyond the study)',
      countingRule: 'per-server',
      columns: [...svc, { key: 'stapled', title: 'Stapled', type: 'integer' }, ...OCSP_VERDICTS.map((c) => ({ key: c.key, title: c.title, type: 'share' as const }))],
      rows: groups.filter((g) => g.stapled > 0).map((g) => ({
        service: g.service, port: g.port, stapled: g.stapled,
        ...Object.fromEntries(OCSP_VERDICTS.map((c) => [c.key, share(g.ocsp.get(c.key) ?? 0, g.stapled)])),
      })),
    };
    return {
      analysis: { id: 'crypto', version: this.opts.version },
      countingRule: 'per-server',
      totals: {
        records: this.records,
        servers: this.servers.size,
        handshakes: sum(groups.map((g) => g.negotiated)),
        completed: sum(groups.map((g) => g.completed)),
        internalErrors: this.internalErrors,
      },
      tables: [versions, categories, ecdhe, dhe, ocsp, ocspResponses],
      notes: [
        'Counted per server (ip:port within a service) whose record shows a ServerHello (tls.version and tls.cipherSuite, or a completed handshake), completed or not: observe-only scans, suites the engine does not complete and failures after the ServerHello count with what the server chose. A server in several records counts once, with its first such record.',
        'Records with status internal-error (a wildtls bug) are left out of every count (totals.internalErrors).',
        'Cipher categories: RC4 and 3DES suites first, then ECDHE, DHE (TLS 1.3 by its group), RSA key transport with AES, other (Camellia, SEED, IDEA, DES, export without RC4, NULL, static ECDH, unknown suites). ECDHE and DHE groups or sizes are "unknown" when the handshake stopped before the ServerKeyExchange.',
        'OCSP stapling is of the servers whose whole first flight was seen: completed handshakes, and those that stopped after it (observe-only, a suite not completed) with their certificates.',
        'Stapled OCSP responses: shares of the stapling servers. Good, revoked and unknown are the certStatus of the response for the leaf (same serial and issuer-name hash); past nextUpdate counts those whose nextUpdate had passed at the scan time (a share of all stapling servers, overlapping the three); not for the leaf means no response in it names the leaf. The responder\'s signature is not checked.',
      ],
    };
  }
}

function inc(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

type Entry = [string, number];
const byCount = (a: Entry, b: Entry) => b[1] - a[1] || a[0].localeCompare(b[0]);
const versionOrder = (a: Entry, b: Entry) => rank(b[0]) - rank(a[0]);
const numericKey = (a: Entry, b: Entry) => (Number(a[0]) || Infinity) - (Number(b[0]) || Infinity);
function rank(v: string): number {
  const i = TLS_VERSION_ORDER.indexOf(v);
  return i < 0 ? -1 : i;
}
function sorted(m: Map<string, number>, cmp: (a: Entry, b: Entry) => number): Entry[] {
  return [...m.entries()].sort(cmp);
}
