import type { ProbeRecord } from '../record/record-schema.js';
import { GenerationCache } from './generation-cache.js';
import { loadDuckDb } from './duckdb-module.js';
import type { ResultStore } from './result-store.js';
import { chainEntry, storeRecord, type ChainEntry } from './store-record.js';

/** Certificates remembered as already stored (the shared intermediates and roots): bounded, whatever the scan's size. */
const KNOWN_CERTS = 50_000;

/**
 * A record ready for the store's row: what the columns need, and the chain
 * entries not known to be stored yet. Holding these instead of the parsed
 * records keeps a batch small (each record's base64 chain dies young).
 */
export interface PreparedRecord {
  columns: [ip: string, port: number, service: string, protocol: unknown, mode: unknown, status: unknown, domain: unknown, mailDomain: unknown, source: unknown];
  chain: string[] | undefined;
  json: string;
  certs: Array<{ sha256: string; base64: string }>;
}

/**
 * Appends records to a store, one transaction per batch. A batch's new
 * certificates go through cert_staging and `INSERT OR IGNORE` into
 * certificates, whose primary key makes that a point lookup per certificate
 * (no work proportional to the store's size, no unbounded Set in memory).
 * Records get seq = the store's count, then +1 each.
 */
export class StoreWriter {
  private nextSeq = -1;
  /** fingerprint -> true for certificates committed to the store (two generations of half the cap each). */
  private readonly known: GenerationCache<string, true>;
  /** base64 DER -> fingerprint and form: the shared certificates are decoded and hashed once. */
  private readonly entries: GenerationCache<string, ChainEntry>;
  private readonly entry = (base64: string): ChainEntry => {
    let e = this.entries.get(base64);
    if (e === undefined) this.entries.set(base64, (e = chainEntry(base64)));
    return e;
  };

  /** `knownCerts`: how many certificates the caches remember (smaller in tests, to exercise what falls out). */
  constructor(private readonly store: ResultStore, knownCerts = KNOWN_CERTS) {
    this.known = new GenerationCache(Math.max(1, knownCerts >> 1));
    this.entries = new GenerationCache(Math.max(1, knownCerts >> 1));
  }

  /** The seq the next record gets (the store's record count). */
  async seq(): Promise<number> {
    if (this.nextSeq < 0) this.nextSeq = await this.store.count();
    return this.nextSeq;
  }

  /**
   * The record as its row will hold it. Certificates known as committed are
   * left out of `certs`; one committed between this and the write is staged
   * again and ignored by the merge.
   */
  prepare(r: ProbeRecord): PreparedRecord {
    const s = storeRecord(r, this.entry);
    return {
      columns: [r.ip, r.port, r.service, r.protocol, r.mode, r.status, r.domain, r.mailDomain, r.source],
      chain: s.chain,
      json: s.json,
      certs: s.certs.filter((c) => !this.known.has(c.sha256)),
    };
  }

  /** Write the records in one transaction: all of them or, on error, none. */
  async write(records: readonly ProbeRecord[]): Promise<void> {
    await this.writePrepared(records.map((r) => this.prepare(r)));
  }

  /** Write prepared records in one transaction: all of them or, on error, none. */
  async writePrepared(stored: readonly PreparedRecord[]): Promise<void> {
    if (!stored.length) return;
    const first = await this.seq();
    const fresh: string[] = [];
    await this.store.exclusive(async (conn) => {
      await conn.run('BEGIN TRANSACTION');
      try {
        const certs = await conn.createAppender('cert_staging');
        const batch = new Set<string>();
        try {
          stored.forEach((s, i) => {
            for (const { sha256, base64 } of s.certs) {
              if (batch.has(sha256) || this.known.has(sha256)) continue;
              batch.add(sha256);
              certs.appendVarchar(sha256);
              certs.appendBlob(Buffer.from(base64, 'base64'));
              certs.appendBigInt(BigInt(first + i));
              certs.endRow();
            }
          });
          certs.flushSync();
        } finally {
          certs.closeSync();
        }
        if (batch.size) {
          await conn.run('INSERT OR IGNORE INTO certificates SELECT sha256, der, first_seq FROM cert_staging');
          await conn.run('DELETE FROM cert_staging');
        }
        const { LIST, VARCHAR } = await loadDuckDb();
        const listType = LIST(VARCHAR);
        const rows = await conn.createAppender('records');
        try {
          stored.forEach((s, i) => {
            const [ip, port, service, ...optional] = s.columns;
            rows.appendBigInt(BigInt(first + i));
            rows.appendVarchar(ip);
            rows.appendInteger(port);
            rows.appendVarchar(service);
            for (const v of optional) {
              if (typeof v === 'string') rows.appendVarchar(v);
              else rows.appendNull();
            }
            if (s.chain) rows.appendList(s.chain, listType);
            else rows.appendNull();
            rows.appendVarchar(s.json);
            rows.endRow();
          });
          rows.flushSync();
        } finally {
          rows.closeSync();
        }
        await conn.run('COMMIT');
        fresh.push(...batch);
      } catch (err) {
        await conn.run('ROLLBACK').catch(() => {});
        throw err;
      }
    });
    for (const fp of fresh) this.known.set(fp, true);
    this.nextSeq = first + stored.length;
  }
}
