import type { ProbeRecord } from '@wildtls/core';
import { answered, isNoise, portOpen, tlsReached } from './host-state.js';

/**
 * Per service and port, or for the whole scan ('all': the sum of the rows,
 * except unique certificates, which are distinct across the scan). Each
 * count is of servers (ip:port), each with the record counted for it.
 */
export class StartTlsCounts {
  /** Servers with a record (connect-failed included). */
  probed = 0;
  /** Hosts with the port open (TCP connect succeeded): the study's denominator. */
  hosts = 0;
  noise = 0;
  answered = 0;
  offered = 0;
  /** The server accepted STARTTLS (`starttls.upgraded`). */
  upgraded = 0;
  /** TLS reached: a ServerHello arrived, completed or not. */
  tls = 0;
  /** The handshake completed (`tls.completed`). */
  completed = 0;
  leafTotal = 0;
  readonly leafUnique = new Set<string>();
  interTotal = 0;
  readonly interUnique = new Set<string>();

  /** One server's counted record; `chain`: its certificates' fingerprints in wire order (undefined: none). */
  add(r: ProbeRecord, chain: Array<string | undefined> | undefined): void {
    this.probed++;
    if (!portOpen(r)) return;
    this.hosts++;
    if (isNoise(r)) this.noise++;
    if (!answered(r)) return;
    this.answered++;
    if (r.starttls?.offered === true) this.offered++;
    if (r.starttls?.upgraded === true) this.upgraded++;
    if (!tlsReached(r.tls)) return;
    this.tls++;
    if (r.tls?.completed === true) this.completed++;
    if (!chain) return;
    // The first certificate sent is the end-host certificate, every later one an
    // intermediate (roots sent needlessly included).
    chain.forEach((fp, i) => {
      if (fp === undefined) return; // malformed file: not a certificate
      if (i === 0) {
        this.leafTotal++;
        this.leafUnique.add(fp);
      } else {
        this.interTotal++;
        this.interUnique.add(fp);
      }
    });
  }
}
