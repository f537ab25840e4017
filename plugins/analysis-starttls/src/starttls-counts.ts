import { IntSet, type ProbeRecord } from '@wildtls/core';
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
  /** Distinct end-host and intermediate certificates, by id (CertificateIds): typed-array sets, 11-21 bytes a certificate. */
  readonly leafUnique = new IntSet();
  interTotal = 0;
  readonly interUnique = new IntSet();
  /** Distinct certificates when counted elsewhere (SQL on a store) instead of in the sets. */
  private distinct: { leaves: number; intermediates: number } | undefined;

  get leafUniqueCount(): number {
    return this.distinct?.leaves ?? this.leafUnique.size;
  }

  get interUniqueCount(): number {
    return this.distinct?.intermediates ?? this.interUnique.size;
  }

  /** The certificate counts, counted elsewhere (SQL on a store). */
  setCertificates(c: { leafTotal: number; leafUnique: number; interTotal: number; interUnique: number }): void {
    this.leafTotal = c.leafTotal;
    this.interTotal = c.interTotal;
    this.distinct = { leaves: c.leafUnique, intermediates: c.interUnique };
  }

  /**
   * One server's counted record; `chain`: its certificates' ids in
   * wire order (undefined: none). `n` servers whose records these are (the
   * store path adds each distinct combination once); the result: whether the
   * chain counts (a server whose TLS was reached).
   */
  add(r: ProbeRecord, chain: Array<number | undefined> | undefined, n = 1): boolean {
    this.probed += n;
    if (!portOpen(r)) return false;
    this.hosts += n;
    if (isNoise(r)) this.noise += n;
    if (!answered(r)) return false;
    this.answered += n;
    if (r.starttls?.offered === true) this.offered += n;
    if (r.starttls?.upgraded === true) this.upgraded += n;
    if (!tlsReached(r.tls)) return false;
    this.tls += n;
    if (r.tls?.completed === true) this.completed += n;
    if (!chain) return true;
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
    return true;
  }
}
