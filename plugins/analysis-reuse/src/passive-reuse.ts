import { CertificateIds, PassiveExclusions, serverKey, type PassiveExclusionRule, type ProbeRecord, type ReportTable } from '@wildtls/core';

/** One port's passive view: each end-host certificate with the server IPs and connections it was seen on. */
interface PortView {
  service: string;
  port: number;
  connections: number;
  /** Connections whose server sent no chain we can see (TLS 1.3 hides it; no TLS; a capture cut short). */
  withoutCertificate: number;
  /** By certificate id (core's CertificateIds: one per distinct DER). */
  certs: Map<number, CertSeen>;
  /** Each server (ip:port) and the ids of the certificates it sent. */
  servers: Map<number | string, Set<number>>;
}

interface CertSeen {
  ips: Set<string>;
  connections: number;
}

const ALL = { service: 'all', port: null };
const share = (n: number, d: number) => (d > 0 ? n / d : null);

/**
 * Table V for passive records (`source: "passive"`, one per captured TCP
 * connection): certificates seen on several IPs, by port, weighted three
 * ways: per certificate (the study's count), per server (ip:port) and per
 * connection. A certificate is the first one the server sent (the
 * end-host certificate), identified by the SHA-256 of its DER, as in the
 * scan tables; "several IPs" means more than one distinct server IP within
 * the row's port (the `all` row: over every port). Scan records never come
 * here, and passive records never enter the scan tables.
 */
export class PassiveReuse {
  private readonly ports = new Map<string, PortView>();
  private readonly certIds = new CertificateIds();
  /** The exclusion rules (the study's by default), with how many connections each left out. */
  readonly exclusions: PassiveExclusions;

  constructor(rules?: readonly PassiveExclusionRule[]) {
    this.exclusions = new PassiveExclusions(rules);
  }

  add(r: ProbeRecord): void {
    if (this.exclusions.exclude(r) !== undefined) return;
    const k = `${r.service}\t${r.port}`;
    let p = this.ports.get(k);
    if (!p) this.ports.set(k, (p = { service: r.service, port: r.port, connections: 0, withoutCertificate: 0, certs: new Map(), servers: new Map() }));
    p.connections++;
    const leaf: unknown = Array.isArray(r.tls?.chain) ? r.tls.chain[0] : undefined;
    if (typeof leaf !== 'string' || leaf === '') {
      p.withoutCertificate++;
      return;
    }
    const fp = this.certIds.id(leaf); // the certificate: one id per distinct DER
    let c = p.certs.get(fp);
    if (!c) p.certs.set(fp, (c = { ips: new Set(), connections: 0 }));
    c.ips.add(r.ip);
    c.connections++;
    const sk = serverKey(r.ip, r.port);
    let s = p.servers.get(sk);
    if (!s) p.servers.set(sk, (s = new Set()));
    s.add(fp);
  }

  get size(): number {
    return this.ports.size;
  }

  tables(): ReportTable[] {
    const ports = [...this.ports.values()].sort((a, b) => a.service.localeCompare(b.service) || a.port - b.port);
    // Over every port: a certificate's IPs are the union of its IPs on each port.
    const allIps = new Map<number, Set<string>>();
    for (const p of ports) {
      for (const [fp, c] of p.certs) {
        let ips = allIps.get(fp);
        if (!ips) allIps.set(fp, (ips = new Set()));
        for (const ip of c.ips) ips.add(ip);
      }
    }
    const reusedIn = (p: PortView | undefined, fp: number) => ((p ? p.certs.get(fp)?.ips.size : allIps.get(fp)?.size) ?? 0) > 1;
    const certRows: ReportTable['rows'] = [];
    const serverRows: ReportTable['rows'] = [];
    const connRows: ReportTable['rows'] = [];
    const tally = { certs: 0, servers: 0, serversReused: 0, connections: 0, withCert: 0, connReused: 0 };
    for (const p of ports) {
      const certs = p.certs.size;
      const several = [...p.certs.keys()].filter((fp) => reusedIn(p, fp)).length;
      certRows.push({ service: p.service, port: p.port, certificates: certs, onSeveralIps: several, share: share(several, certs) });
      const serversReused = [...p.servers.values()].filter((fps) => [...fps].some((fp) => reusedIn(p, fp))).length;
      serverRows.push({ service: p.service, port: p.port, servers: p.servers.size, onSeveralIps: serversReused, share: share(serversReused, p.servers.size) });
      const withCert = p.connections - p.withoutCertificate;
      let connReused = 0;
      let connReusedAll = 0;
      for (const [fp, c] of p.certs) {
        if (reusedIn(p, fp)) connReused += c.connections;
        if (reusedIn(undefined, fp)) connReusedAll += c.connections;
      }
      connRows.push({ service: p.service, port: p.port, connections: p.connections, withCertificate: withCert, onSeveralIps: connReused, share: share(connReused, withCert) });
      tally.servers += p.servers.size;
      tally.serversReused += [...p.servers.values()].filter((fps) => [...fps].some((fp) => reusedIn(undefined, fp))).length;
      tally.connections += p.connections;
      tally.withCert += withCert;
      tally.connReused += connReusedAll;
    }
    if (ports.length > 0) {
      const several = [...allIps.values()].filter((ips) => ips.size > 1).length;
      certRows.push({ ...ALL, certificates: allIps.size, onSeveralIps: several, share: share(several, allIps.size) });
      serverRows.push({ ...ALL, servers: tally.servers, onSeveralIps: tally.serversReused, share: share(tally.serversReused, tally.servers) });
      connRows.push({ ...ALL, connections: tally.connections, withCertificate: tally.withCert, onSeveralIps: tally.connReused, share: share(tally.connReused, tally.withCert) });
    }
    const at = [
      { key: 'service', title: 'Service', type: 'string' as const },
      { key: 'port', title: 'Port', type: 'integer' as const },
    ];
    return [
      this.exclusions.table(),
      {
        id: 'passive-reuse',
        title: 'Table V (passive): certificates seen on several IPs, by port',
        paper: { ref: 'Table V', order: 1 },
        countingRule: 'per-certificate',
        columns: [...at, { key: 'certificates', title: 'Certificates', type: 'integer' }, { key: 'onSeveralIps', title: 'On more than one IP', type: 'integer' }, { key: 'share', title: 'Share', type: 'share' }],
        rows: certRows,
      },
      {
        id: 'passive-reuse-servers',
        title: 'Table V (passive), per server: servers (ip:port) that sent a certificate seen on several IPs',
        paper: { ref: 'Table V', order: 2 },
        countingRule: 'per-server',
        columns: [...at, { key: 'servers', title: 'Servers with a certificate', type: 'integer' }, { key: 'onSeveralIps', title: 'Sent one seen on more than one IP', type: 'integer' }, { key: 'share', title: 'Share', type: 'share' }],
        rows: serverRows,
      },
      {
        id: 'passive-reuse-connections',
        title: 'Table V (passive), by connections: connections whose certificate was seen on several IPs',
        paper: { ref: 'Table V', order: 3 },
        countingRule: 'per-connection',
        columns: [...at, { key: 'connections', title: 'Connections', type: 'integer' }, { key: 'withCertificate', title: 'With a certificate seen', type: 'integer' }, { key: 'onSeveralIps', title: 'Certificate on more than one IP', type: 'integer' }, { key: 'share', title: 'Share (of those with a certificate)', type: 'share' }],
        rows: connRows,
      },
    ];
  }
}

export const PASSIVE_REUSE_NOTE =
  'Passive records (source "passive", one per captured TCP connection) are counted only in passive-reuse, passive-reuse-servers and passive-reuse-connections (Table V by port: per certificate, per server ip:port, per connection); a certificate is on several IPs when the servers that sent it in the capture have more than one distinct IP within the row\'s port (all: over every port). Connections without a visible certificate (TLS 1.3 hides the chain from a passive observer; no TLS; a capture cut short) count in connections only.';
