import type { PassiveExclusionRule, ProbeRecord, ReportTable } from '@wildtls/core';
import { PassiveExclusions, serverKey } from '@wildtls/core';

interface PortTally {
  service: string;
  port: number;
  mode: string;
  connections: number;
  servers: Set<string | number>;
  /** Servers that offered STARTTLS in at least one connection. */
  serversOffering: Set<string | number>;
  offered: number;
  upgraded: number;
  completed: number;
}

const share = (n: number, d: number) => (d > 0 ? n / d : null);

/**
 * Passive records (`source: "passive"`), weighted by connection as the
 * study's passive half was: Table II (connections and servers per port) and
 * Table III's passive columns (servers supporting STARTTLS, connections
 * offered it, connections upgraded). Scan records never come here.
 */
export class PassiveConnections {
  private readonly ports = new Map<string, PortTally>();
  /** The exclusion rules (core's; the study's by default), with how many connections each left out. */
  readonly exclusions: PassiveExclusions;

  constructor(rules?: readonly PassiveExclusionRule[]) {
    this.exclusions = new PassiveExclusions(rules);
  }

  /** The exclusion rules as the report notes state them. */
  note(): string {
    return this.exclusions.note();
  }

  get size(): number {
    return this.ports.size;
  }

  add(r: ProbeRecord): void {
    if (this.exclusions.exclude(r) !== undefined) return;
    const k = `${r.service}\t${r.port}`;
    let t = this.ports.get(k);
    if (!t) {
      t = { service: r.service, port: r.port, mode: r.mode, connections: 0, servers: new Set(), serversOffering: new Set(), offered: 0, upgraded: 0, completed: 0 };
      this.ports.set(k, t);
    }
    const server = serverKey(r.ip, r.port);
    t.connections++;
    t.servers.add(server);
    if (r.starttls?.offered) {
      t.offered++;
      t.serversOffering.add(server);
    }
    if (r.starttls?.upgraded) t.upgraded++;
    if (r.tls?.completed) t.completed++;
  }

  tables(): ReportTable[] {
    const rows = [...this.ports.values()].sort((a, b) => a.service.localeCompare(b.service) || a.port - b.port);
    return [
      this.exclusions.table(),
      {
        id: 'passive-connections',
        title: 'Table II: connections and servers per port (passive)',
        paper: { ref: 'Table II' },
        countingRule: 'per-connection',
        columns: [
          { key: 'service', title: 'Service', type: 'string' },
          { key: 'port', title: 'Port', type: 'integer' },
          { key: 'connections', title: 'Connections', type: 'integer' },
          { key: 'servers', title: 'Servers (ip:port)', type: 'integer' },
          { key: 'completed', title: 'Connections with a completed TLS handshake', type: 'integer' },
        ],
        rows: rows.map((t) => ({ service: t.service, port: t.port, connections: t.connections, servers: t.servers.size, completed: t.completed })),
      },
      {
        id: 'passive-starttls',
        title: 'Table III (passive columns): servers supporting STARTTLS, connections offered it and upgraded',
        paper: { ref: 'Table III' },
        countingRule: 'per-connection',
        columns: [
          { key: 'service', title: 'Service', type: 'string' },
          { key: 'port', title: 'Port', type: 'integer' },
          { key: 'servers', title: 'Servers', type: 'integer' },
          { key: 'serversStarttls', title: 'Servers supporting STARTTLS', type: 'integer' },
          { key: 'connections', title: 'Connections', type: 'integer' },
          { key: 'offered', title: 'Connections offered STARTTLS', type: 'integer' },
          { key: 'offeredShare', title: 'Offered (of connections)', type: 'share' },
          { key: 'upgraded', title: 'Connections upgraded', type: 'integer' },
          { key: 'upgradedShare', title: 'Upgraded (of offered)', type: 'share' },
        ],
        rows: rows.filter((t) => t.mode === 'starttls').map((t) => ({
          service: t.service, port: t.port, servers: t.servers.size, serversStarttls: t.serversOffering.size,
          connections: t.connections, offered: t.offered, offeredShare: share(t.offered, t.connections),
          upgraded: t.upgraded, upgradedShare: share(t.upgraded, t.offered),
        })),
      },
    ];
  }
}

export const PASSIVE_NOTES: string[] = [
  'Passive records (source "passive", one per TCP connection of a capture) are counted per connection in passive-connections (Table II) and passive-starttls (Table III\'s passive columns), never in the per-server scan tables. A server there is an ip:port seen in at least one connection; it supports STARTTLS when any of its connections saw it offered. A connection was offered STARTTLS when the server listed it before TLS (or, with no list seen, accepted it); upgraded when the server accepted the client\'s STARTTLS; the upgraded share is of the connections offered it.',
];
