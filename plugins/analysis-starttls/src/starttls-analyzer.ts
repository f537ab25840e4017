import type { Analyzer, ProbeRecord, Report, ReportTable } from '@wildtls/core';
import { CertificateFingerprints as Fingerprints } from '@wildtls/core';
import { ServerTally, serverKey, share } from '@wildtls/core';

/** Per service and port: STARTTLS funnel counts (Table I) and certificate sets (Table III). */
interface Group {
  service: string;
  port: number;
  mode: string;
  index: number;
  servers: number;
  answered: number;
  offered: number;
  /** The server accepted STARTTLS (`starttls.upgraded`). */
  upgraded: number;
  /** A ServerHello arrived: TLS parameters were negotiated, completed or not. */
  negotiated: number;
  /** The handshake completed (`tls.completed`). */
  handshake: number;
  leafTotal: number;
  leafUnique: Set<string>;
  interTotal: number;
  interUnique: Set<string>;
}

/** Statuses that prove the server said something (a timeout may still follow a banner). */
const SPOKE = new Set(['success', 'no-starttls', 'starttls-refused', 'tls-failed', 'protocol-error']);

export function answered(r: ProbeRecord): boolean {
  return SPOKE.has(r.status) || r.banner !== undefined || r.tls !== undefined || r.starttls !== undefined;
}

/** A ServerHello arrived: the record has the version and suite the server chose, or a completed handshake. */
function serverHelloSeen(tls: ProbeRecord['tls']): boolean {
  if (typeof tls !== 'object' || tls === null) return false;
  return tls.completed === true || (tls.version !== undefined && tls.cipherSuite !== undefined);
}

export interface StartTlsAnalyzerOptions {
  version: string;
}

export class StartTlsAnalyzer implements Analyzer {
  private readonly groups = new Map<string, Group>();
  private readonly servers = new ServerTally();
  private readonly allLeaf = new Set<string>();
  private readonly allInter = new Set<string>();
  private records = 0;
  private internalErrors = 0;
  private readonly fingerprints = new Fingerprints();

  constructor(private readonly opts: StartTlsAnalyzerOptions) {}

  consume(r: ProbeRecord): void {
    this.records++;
    // Our own bug, not a measurement: left out of every count.
    if (r.status === 'internal-error') {
      this.internalErrors++;
      return;
    }
    const key = serverKey(r.ip, r.port);
    const gk = `${r.service}\t${r.port}`;
    let g = this.groups.get(gk);
    if (!g) {
      g = { index: this.groups.size, service: r.service, port: r.port, mode: r.mode, servers: 0, answered: 0, offered: 0, upgraded: 0, negotiated: 0, handshake: 0, leafTotal: 0, leafUnique: new Set(), interTotal: 0, interUnique: new Set() };
      this.groups.set(gk, g);
    }
    // Per server: a server seen in several records counts once, with its first record.
    if (!this.servers.add(key, g.index)) return;
    g.servers++;
    if (!answered(r)) return;
    g.answered++;
    if (r.starttls?.offered) g.offered++;
    if (r.starttls?.upgraded) g.upgraded++;
    if (serverHelloSeen(r.tls)) g.negotiated++;
    if (r.tls?.completed) g.handshake++;
    const chain: unknown = r.tls?.chain;
    if (!Array.isArray(chain)) return;
    for (let i = 0; i < chain.length; i++) {
      if (typeof chain[i] !== 'string') continue; // malformed file: not a certificate
      const { fp } = this.fingerprints.lookup(chain[i] as string);
      if (i === 0) {
        g.leafTotal++;
        g.leafUnique.add(fp);
        this.allLeaf.add(fp);
      } else {
        g.interTotal++;
        g.interUnique.add(fp);
        this.allInter.add(fp);
      }
    }
  }

  finish(): Report {
    const groups = [...this.groups.values()].sort((a, b) => a.service.localeCompare(b.service) || a.port - b.port);
    const support: ReportTable = {
      id: 'support',
      title: 'STARTTLS support per service and port (Table I)',
      countingRule: 'per-server',
      columns: [
        { key: 'service', title: 'Service', type: 'string' },
        { key: 'port', title: 'Port', type: 'integer' },
        { key: 'mode', title: 'Mode', type: 'string' },
        { key: 'probed', title: 'Servers probed', type: 'integer' },
        { key: 'answered', title: 'Answered', type: 'integer' },
        { key: 'offered', title: 'STARTTLS offered', type: 'integer' },
        { key: 'offeredShare', title: 'Offered (of answered)', type: 'share' },
        { key: 'upgraded', title: 'Upgraded (STARTTLS accepted)', type: 'integer' },
        { key: 'upgradedShare', title: 'Upgraded (of answered)', type: 'share' },
        { key: 'negotiated', title: 'TLS negotiated (ServerHello)', type: 'integer' },
        { key: 'negotiatedShare', title: 'Negotiated (of answered)', type: 'share' },
        { key: 'handshake', title: 'Handshake completed', type: 'integer' },
        { key: 'handshakeShare', title: 'Completed (of answered)', type: 'share' },
      ],
      rows: groups.map((g) => {
        const starttls = g.mode === 'starttls';
        return {
          service: g.service,
          port: g.port,
          mode: g.mode,
          probed: g.servers,
          answered: g.answered,
          offered: starttls ? g.offered : null,
          offeredShare: starttls ? share(g.offered, g.answered) : null,
          upgraded: starttls ? g.upgraded : null,
          upgradedShare: starttls ? share(g.upgraded, g.answered) : null,
          negotiated: g.negotiated,
          negotiatedShare: share(g.negotiated, g.answered),
          handshake: g.handshake,
          handshakeShare: share(g.handshake, g.answered),
        };
      }),
    };
    const certRow = (service: string, port: number | null, leafTotal: number, leafUnique: number, interTotal: number, interUnique: number) => ({
      service, port, leafTotal, leafUnique, interTotal, interUnique,
    });
    const certificates: ReportTable = {
      id: 'certificates',
      title: 'End-host and intermediate certificates, total and unique (Table III)',
      countingRule: 'per-certificate',
      columns: [
        { key: 'service', title: 'Service', type: 'string' },
        { key: 'port', title: 'Port', type: 'integer' },
        { key: 'leafTotal', title: 'End-host certs (servers)', type: 'integer' },
        { key: 'leafUnique', title: 'Unique end-host certs', type: 'integer' },
        { key: 'interTotal', title: 'Intermediate certs sent', type: 'integer' },
        { key: 'interUnique', title: 'Unique intermediates', type: 'integer' },
      ],
      rows: [
        ...groups.map((g) => certRow(g.service, g.port, g.leafTotal, g.leafUnique.size, g.interTotal, g.interUnique.size)),
        certRow('all', null, sum(groups, (g) => g.leafTotal), this.allLeaf.size, sum(groups, (g) => g.interTotal), this.allInter.size),
      ],
    };
    return {
      analysis: { id: 'starttls', version: this.opts.version },
      countingRule: 'per-server',
      totals: { records: this.records, servers: this.servers.size, internalErrors: this.internalErrors },
      tables: [support, certificates],
      notes: [
        'A server is an ip:port within a service; when it appears in several records, its first record counts.',
        'Shares are of the servers that answered. Offered and upgraded apply to STARTTLS services only.',
        'Upgraded: the server accepted STARTTLS (whatever the handshake then did). TLS negotiated: a ServerHello arrived (tls.version and tls.cipherSuite, or a completed handshake), completed or not (observe-only, a suite the engine does not complete, a failure after the ServerHello). Handshake completed: tls.completed.',
        'Records with status internal-error (a wildtls bug) are left out of every count (totals.internalErrors).',
        'Intermediates are every certificate after the first one sent (roots sent needlessly included); "all" counts distinct certificates across services.',
      ],
    };
  }
}

function sum<T>(xs: T[], f: (x: T) => number): number {
  let s = 0;
  for (const x of xs) s += f(x);
  return s;
}
