import { serverKey, type ProbeRecord, type ReportTable } from '@wildtls/core';
import type { ChainEntry } from './chain-service.js';
import { keyCols } from './table-helpers.js';
import { primaryErrorColumns, primaryErrorRows, type ErrorCounts } from './validity-tables.js';

/** One (service, port) of passive records. */
interface PassiveGroup {
  service: string;
  port: number;
  connections: number;
  /** Connections whose record carries a chain (the per-connection denominator). */
  withChain: number;
  /** TLS 1.3 connections: the chain is encrypted, so they carry none. */
  chainHidden: number;
  /** Every server (ip:port) seen, and those counted by their first connection with a chain. */
  seen: Set<number | string>;
  counted: Set<number | string>;
  /** Per distinct verdict: servers whose first chain it is, and connections that carried it. */
  servers: Map<ChainEntry, number>;
  perConnection: Map<ChainEntry, number>;
}

/**
 * Passive records (`source: "passive"`, one per captured TCP connection) for
 * the study's Fig. 5 both ways: OpenSSL's first error per server (ip:port,
 * the first connection with a chain wins, as in the scan tables) and weighted
 * by connections (each connection that carried a chain counts once). The
 * verdicts are the analyzer's (same chain ids and validator); this only counts.
 */
export class PassiveChains {
  private readonly groups = new Map<string, PassiveGroup>();

  get size(): number {
    return this.groups.size;
  }

  /** A connection without a chain (TLS not reached, or TLS 1.3). */
  addChainless(r: ProbeRecord): void {
    const g = this.group(r);
    g.connections++;
    g.seen.add(serverKey(r.ip, r.port));
    if (r.passive?.chainHidden) g.chainHidden++;
  }

  /**
   * A connection with a chain whose verdict is on its way: counted now (so
   * that which connection is a server's first does not depend on when
   * verdicts come back); returns what to call with the verdict.
   */
  addChain(r: ProbeRecord): (e: ChainEntry) => void {
    const g = this.group(r);
    const key = serverKey(r.ip, r.port);
    g.connections++;
    g.withChain++;
    g.seen.add(key);
    const first = !g.counted.has(key);
    g.counted.add(key);
    return (e) => {
      g.perConnection.set(e, (g.perConnection.get(e) ?? 0) + 1);
      if (first) g.servers.set(e, (g.servers.get(e) ?? 0) + 1);
    };
  }

  /** The groups as the tables read them (sorted by service and port). */
  views(): PassiveView[] {
    const groups = [...this.groups.values()].sort((a, b) => a.service.localeCompare(b.service) || a.port - b.port);
    const byCode = (m: Map<ChainEntry, number>) => {
      const counts = new Map<number, number>();
      for (const [e, n] of m) counts.set(e.openssl.code, (counts.get(e.openssl.code) ?? 0) + n);
      return counts;
    };
    return groups.map((g) => ({ service: g.service, port: g.port, connections: g.connections, withChain: g.withChain, chainHidden: g.chainHidden, seen: g.seen.size, counted: g.counted.size, serverCodes: byCode(g.servers), connectionCodes: byCode(g.perConnection) }));
  }

  private group(r: ProbeRecord): PassiveGroup {
    const k = `${r.service}|${r.port}`;
    let g = this.groups.get(k);
    if (!g) {
      g = { service: r.service, port: r.port, connections: 0, withChain: 0, chainHidden: 0, seen: new Set(), counted: new Set(), servers: new Map(), perConnection: new Map() };
      this.groups.set(k, g);
    }
    return g;
  }
}

/** One (service, port) of passive records, counted: what the passive tables read (from PassiveChains or from SQL over a store). */
export interface PassiveView {
  service: string;
  port: number;
  connections: number;
  withChain: number;
  chainHidden: number;
  /** Servers seen, and those with a connection that carried a chain. */
  seen: number;
  counted: number;
  /** OpenSSL's first error: per server (its first connection with a chain), and per connection with a chain. */
  serverCodes: Map<number, number>;
  connectionCodes: Map<number, number>;
}

/** The passive tables (Fig. 5 per server and per connection), from groups sorted by service and port. */
export function passiveTables(groups: PassiveView[]): ReportTable[] {
  const perServer: ErrorCounts[] = groups.map((g) => ({ service: g.service, port: g.port, counts: g.serverCodes, of: g.counted }));
  const perConnection: ErrorCounts[] = groups.map((g) => ({ service: g.service, port: g.port, counts: g.connectionCodes, of: g.withChain }));
  const fig5 = 'Fig. 5 (passive): the error `openssl verify` reports first for the chain';
  return [
    {
      id: 'passive-chains',
      title: 'Passive records (one per captured connection) by service and port: connections, those that carried a chain, TLS 1.3 ones (chain encrypted), servers',
      countingRule: 'per-connection',
      columns: [
        { key: 'service', title: 'Service', type: 'string' },
        { key: 'port', title: 'Port', type: 'integer' },
        { key: 'connections', title: 'Connections', type: 'integer' },
        { key: 'withChain', title: 'Connections with a chain', type: 'integer' },
        { key: 'chainHidden', title: 'TLS 1.3 connections (chain encrypted)', type: 'integer' },
        { key: 'seenServers', title: 'Servers seen', type: 'integer' },
        { ...keyCols[2]! },
      ],
      rows: groups.map((g) => ({ service: g.service, port: g.port, connections: g.connections, withChain: g.withChain, chainHidden: g.chainHidden, seenServers: g.seen, servers: g.counted })),
    },
    {
      id: 'passive-primary-error',
      title: `${fig5} each server (ip:port) sent in its first captured connection with a chain, by service and port (exclusive: shares of the servers with a chain; code 0: the chain verifies)`,
      paper: { ref: 'Fig. 5' },
      countingRule: 'per-server',
      columns: primaryErrorColumns('servers'),
      rows: primaryErrorRows(perServer, 'servers'),
    },
    {
      id: 'passive-primary-error-connections',
      title: `${fig5} each captured connection carried, by service and port (weighted by connections: shares of the connections with a chain; code 0: the chain verifies)`,
      paper: { ref: 'Fig. 5' },
      countingRule: 'per-connection',
      columns: primaryErrorColumns('connections'),
      rows: primaryErrorRows(perConnection, 'connections'),
    },
  ];
}

export const PASSIVE_CHAINS_NOTE =
  'Passive records (source "passive", one per captured connection) never enter the per-server tables above. They give Fig. 5 both ways: passive-primary-error counts each server (ip:port) once, by its first connection that carried a chain; passive-primary-error-connections counts every connection that carried a chain once. TLS 1.3 connections carry no chain (it is encrypted): they are in neither, counted in passive-chains. Their chains are validated like the scan\'s (once per distinct chain), and their intermediates join the pool that tells a missing intermediate from an unknown issuer.';
