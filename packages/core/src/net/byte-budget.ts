/**
 * The one per-probe byte cap: every byte read from the socket is charged
 * here, by whichever reader holds the socket at the time (the plaintext
 * dialog's Connection, the TLS engine during the handshake, the TLS stream
 * after it). Decrypted bytes are never charged again.
 */
export class ByteBudget {
  private usedBytes = 0;

  constructor(readonly limit: number) {}

  /** Bytes charged so far. */
  get used(): number {
    return this.usedBytes;
  }

  /** True once more than `limit` bytes were charged. */
  get exceeded(): boolean {
    return this.usedBytes > this.limit;
  }

  /** Charge `n` raw bytes read from the socket; false when the cap is now passed. */
  charge(n: number): boolean {
    this.usedBytes += n;
    return this.usedBytes <= this.limit;
  }
}
