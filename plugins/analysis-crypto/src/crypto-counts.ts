import type { ProbeRecord } from '@wildtls/core';
import type { OcspVerdict } from './ocsp-response.js';
import { weaknessesOf, type SuiteClass } from './suite-class.js';

/**
 * The counts behind every crypto table, for one service and port or for the
 * whole scan ('all': the sum of the rows). Per server: the record counted for
 * a server (its first with TLS reached). Per connection: every record with TLS
 * reached, a server's repeated records included.
 */
export class CryptoCounts {
  /** Servers where TLS was reached: the denominator of Table IV and Fig. 3. */
  servers = 0;
  completed = 0;
  readonly versions = new Map<string, number>();
  /** `${kx}\t${bulk}` -> servers. */
  readonly cells = new Map<string, number>();
  forwardSecrecy = 0;
  readonly weak = new Map<string, number>();
  anyWeak = 0;
  ecdhe = 0;
  readonly curves = new Map<string, number>();
  dhe = 0;
  readonly dhBits = new Map<string, number>();
  /** Servers whose whole first flight was seen (certificates, stapled OCSP): the OCSP denominator. */
  flight = 0;
  stapled = 0;
  readonly ocsp = new Map<string, number>();
  connections = 0;
  fsConnections = 0;
  flightConnections = 0;
  stapledConnections = 0;

  /** One record with TLS reached, as a connection. */
  addConnection(c: SuiteClass, flightSeen: boolean, stapled: boolean): void {
    this.connections++;
    if (c.forwardSecrecy) this.fsConnections++;
    if (!flightSeen) return;
    this.flightConnections++;
    if (stapled) this.stapledConnections++;
  }

  /** The record counted for a server. */
  addServer(tls: NonNullable<ProbeRecord['tls']>, c: SuiteClass): void {
    this.servers++;
    if (tls.completed === true) this.completed++;
    inc(this.versions, typeof tls.version === 'string' ? tls.version : 'unknown');
    inc(this.cells, `${c.kx}\t${c.bulk}`);
    if (c.forwardSecrecy) this.forwardSecrecy++;
    const weak = weaknessesOf(tls, c);
    for (const w of weak) inc(this.weak, w);
    if (weak.length > 0) this.anyWeak++;
    const kx = tls.keyExchange;
    if (c.kx === 'ECDHE') {
      this.ecdhe++;
      inc(this.curves, typeof kx?.group === 'string' ? kx.group : 'unknown');
    } else if (c.kx === 'DHE') {
      this.dhe++;
      // TLS 1.3 ffdhe groups name their size; TLS 1.2 DHE records the prime's bits.
      const bits = Number.isInteger(kx?.bits) ? kx?.bits : /^ffdhe(\d+)$/i.exec(String(kx?.group ?? ''))?.[1];
      inc(this.dhBits, bits === undefined ? 'unknown' : String(bits));
    }
  }

  addFlight(stapled: boolean, verdict: OcspVerdict | undefined): void {
    this.flight++;
    if (!stapled) return;
    this.stapled++;
    if (!verdict) return;
    inc(this.ocsp, verdict.kind);
    if ('stale' in verdict && verdict.stale) inc(this.ocsp, 'stale');
  }
}

export function inc(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}
