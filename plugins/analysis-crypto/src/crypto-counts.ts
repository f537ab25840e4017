import type { ProbeRecord } from '@wildtls/core';
import type { OcspVerdict } from './ocsp-response.js';
import { weaknessesOf, type SuiteClass } from './suite-class.js';

/**
 * The counts behind every crypto table, for one service and port or for the
 * whole scan ('all': the sum of the rows). Per server: the record counted for
 * a server (its first with TLS reached). Per connection: every record with TLS
 * reached, a server's repeated records included. `n` weights a call: the
 * store path (crypto-store.ts) adds each distinct combination of facts once,
 * with its count.
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
  addConnection(c: SuiteClass, flightSeen: boolean, stapled: boolean, n = 1): void {
    this.connections += n;
    if (c.forwardSecrecy) this.fsConnections += n;
    if (!flightSeen) return;
    this.flightConnections += n;
    if (stapled) this.stapledConnections += n;
  }

  /** The record counted for a server. */
  addServer(tls: NonNullable<ProbeRecord['tls']>, c: SuiteClass, n = 1): void {
    this.servers += n;
    if (tls.completed === true) this.completed += n;
    inc(this.versions, typeof tls.version === 'string' ? tls.version : 'unknown', n);
    inc(this.cells, `${c.kx}\t${c.bulk}`, n);
    if (c.forwardSecrecy) this.forwardSecrecy += n;
    const weak = weaknessesOf(tls, c);
    for (const w of weak) inc(this.weak, w, n);
    if (weak.length > 0) this.anyWeak += n;
    const kx = tls.keyExchange;
    if (c.kx === 'ECDHE') {
      this.ecdhe += n;
      inc(this.curves, typeof kx?.group === 'string' ? kx.group : 'unknown', n);
    } else if (c.kx === 'DHE') {
      this.dhe += n;
      // TLS 1.3 ffdhe groups name their size; TLS 1.2 DHE records the prime's bits.
      const bits = Number.isInteger(kx?.bits) ? kx?.bits : /^ffdhe(\d+)$/i.exec(String(kx?.group ?? ''))?.[1];
      inc(this.dhBits, bits === undefined ? 'unknown' : String(bits), n);
    }
  }

  /** The server's whole first flight was seen; a stapled response's verdict is added with it, or on its own (addVerdict). */
  addFlight(stapled: boolean, verdict: OcspVerdict | undefined, n = 1): void {
    this.flight += n;
    if (!stapled) return;
    this.stapled += n;
    if (verdict) this.addVerdict(verdict);
  }

  /** What one stapling server's response says. */
  addVerdict(verdict: OcspVerdict): void {
    inc(this.ocsp, verdict.kind);
    if ('stale' in verdict && verdict.stale) inc(this.ocsp, 'stale');
  }
}

export function inc(m: Map<string, number>, k: string, n = 1): void {
  m.set(k, (m.get(k) ?? 0) + n);
}
