import { Worker, type ResourceLimits } from 'node:worker_threads';
import { MEMORY_ERROR_FIXES, WildtlsError } from '@wildtls/core';
import { ChainService, type ChainEntry } from './chain-service.js';
import type { PlainSettings } from './service-settings.js';
import { recheckPaged, type ChainsByHash, type RecheckItem, type SettledChange, type SourceStats, type VerdictSource } from './verdict-source.js';
import type { ValidateRequest, WorkerData, WorkerHeap, WorkerRequest } from './validation-worker.js';

/** A request without its id (Omit distributed over the union). */
type Request = WorkerRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  /** Validations waiting to be posted as one batch. */
  batch: Array<{ req: ValidateRequest; resolve: (e: ChainEntry) => void; reject: (e: Error) => void }>;
}

/** The one empty name list of kept verdicts (most have no SAN iPAddress): nothing changes these lists in place. */
const NONE: string[] = [];

/** Validations per message: one postMessage per chain costs about as much as validating it. */
const BATCH = 64;

/**
 * Distinct chains validated on worker threads (the main thread keeps reading
 * and feeding the other analyses). A chain always goes to the same worker (by
 * its hash), which keeps the verdict; the main thread caches it too, so a
 * repeated chain costs one hash and a map lookup. Each worker sees part of
 * the scan's intermediates: settle() pools them all before rechecking the
 * chains that found no issuer, so results match the in-thread validator.
 * With `retain` false the main thread keeps no verdicts (the store path
 * keeps them in its verdict table and asks each (chain, interval) once);
 * with `compactRetry` the workers keep no chains either (see ChainService),
 * and settle() takes the chains it must recheck from its caller.
 */
export class WorkerPool implements VerdictSource {
  private readonly slots: Slot[] = [];
  /** Verdicts by chain hash: one, or one per validity interval (an array only then: a one-element array costs 30 bytes a chain). */
  private readonly cache = new Map<string, ChainEntry | ChainEntry[]>();
  private readonly inflight = new Map<string, Promise<ChainEntry>>();
  /** Distinct errors and flags lists, and OpenSSL results, of kept verdicts (compact()). */
  private readonly lists = new Map<string, string[]>();
  private readonly openssl = new Map<string, ChainEntry['openssl']>();
  private nextId = 0;
  private failed: Error | undefined;

  /** @param resourceLimits the worker threads' heap (default: Node's, which --max-old-space-size sets as for the main thread). */
  constructor(settings: PlainSettings, workers: number, private readonly retain = true, compactRetry = false, resourceLimits?: ResourceLimits) {
    for (let i = 0; i < workers; i++) {
      const data: WorkerData = { settings, compactRetry };
      const worker = new Worker(new URL('./validation-worker.js', import.meta.url), { workerData: data, ...(resourceLimits ? { resourceLimits } : {}) });
      const slot: Slot = { worker, pending: new Map(), batch: [] };
      worker.on('message', (m: { id: number; value?: unknown; error?: string }) => {
        const p = slot.pending.get(m.id);
        if (!p) return;
        slot.pending.delete(m.id);
        if (slot.pending.size === 0) worker.unref();
        if (m.error !== undefined) p.reject(new Error(`certificate validation worker: ${m.error}`));
        else p.resolve(m.value);
      });
      worker.on('error', (err) => this.fail(workerError(err)));
      worker.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`certificate validation worker exited with code ${code}`));
      });
      // Idle workers must not keep the process alive; busy ones do (see call()).
      worker.unref();
      this.slots.push(slot);
    }
  }

  private fail(err: Error): void {
    this.failed ??= err;
    for (const s of this.slots) {
      for (const p of s.pending.values()) p.reject(err);
      s.pending.clear();
    }
  }

  private call<T>(slot: Slot, req: Request): Promise<T> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      if (slot.pending.size === 0) slot.worker.ref();
      slot.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      slot.worker.postMessage({ ...req, id });
    });
  }

  private lookup(hash: string, at: number): ChainEntry | undefined {
    const hit = this.cache.get(hash);
    if (!hit) return undefined;
    if (!Array.isArray(hit)) return at >= hit.from && at < hit.until ? hit : undefined;
    for (const e of hit) if (at >= e.from && at < e.until) return e;
    return undefined;
  }

  verdict(chain: readonly string[], at: number, hash = ChainService.chainHash(chain), keep = true): ChainEntry | Promise<ChainEntry> {
    const hit = this.lookup(hash, at);
    if (hit) return hit;
    const busy = this.inflight.get(hash);
    // The same chain is on its way: wait for it, then look again (another time window may need its own verdict).
    if (busy) return busy.then(() => this.verdict(chain, at, hash, keep));
    const slot = this.slots[hash.charCodeAt(0) % this.slots.length]!;
    const done = this.enqueue(slot, { id: 0, hash, chain: [...chain], at, ...(keep ? {} : { keep }) }).then((wire) => {
      this.inflight.delete(hash);
      if (!this.retain || !keep) return wire;
      const e = this.compact(wire, hash);
      const hit = this.cache.get(hash);
      if (!hit) this.cache.set(hash, e);
      else if (Array.isArray(hit)) hit.push(e);
      else this.cache.set(hash, [hit, e]);
      return e;
    });
    this.inflight.set(hash, done);
    return done;
  }

  /**
   * A kept verdict as it came off the wire, made small: the same errors, flags and OpenSSL result
   * shared between the chains that have them (a few dozen distinct lists in a scan, where the
   * structured clone made new arrays and strings for each chain), the caller's hash string, and
   * one object literal (no out-of-object property array). Nothing changes these in place
   * (settle() replaces them), so sharing is safe.
   */
  private compact(e: ChainEntry, hash: string): ChainEntry {
    const errors = this.interned(e.errors);
    const flags = this.interned(e.flags);
    const ok = `${e.openssl.code}|${e.openssl.depth}`;
    let openssl = this.openssl.get(ok);
    if (!openssl) this.openssl.set(ok, (openssl = { code: e.openssl.code, depth: e.openssl.depth }));
    const none = (l: string[]) => (l.length ? l : NONE);
    return { hash, errors, openssl, flags, from: e.from, until: e.until, leafDns: none(e.leafDns), leafIps: none(e.leafIps) };
  }

  private interned<T extends string>(list: T[]): T[] {
    const k = list.join('\n');
    const hit = this.lists.get(k) as T[] | undefined;
    if (hit) return hit;
    this.lists.set(k, list);
    return list;
  }

  private enqueue(slot: Slot, req: ValidateRequest): Promise<ChainEntry> {
    return new Promise<ChainEntry>((resolve, reject) => {
      slot.batch.push({ req, resolve, reject });
      if (slot.batch.length >= BATCH) this.flush(slot);
      // A partial batch goes out once the current burst of records is consumed.
      else if (slot.batch.length === 1) setImmediate(() => this.flush(slot));
    });
  }

  private flush(slot: Slot): void {
    const items = slot.batch.splice(0);
    if (items.length === 0) return;
    this.call<ChainEntry[]>(slot, { type: 'validate-batch', items: items.map((i) => i.req) }).then(
      (entries) => items.forEach((it, k) => it.resolve(entries[k]!)),
      (err: Error) => items.forEach((it) => it.reject(err)),
    );
  }

  async settle(chains?: ChainsByHash): Promise<SettledChange[]> {
    for (const s of this.slots) this.flush(s);
    await Promise.all(this.inflight.values());
    if (this.slots.length > 1) {
      const lists = await Promise.all(this.slots.map((s) => this.call<string[]>(s, { type: 'intermediates' })));
      const all = [...new Set(lists.flat())];
      await Promise.all(this.slots.map((s) => this.call(s, { type: 'add-intermediates', list: all })));
    }
    const changed = (await Promise.all(this.slots.map((s) => this.call<SettledChange[]>(s, { type: 'settle' })))).flat();
    // Workers with compact retry state: their candidates come back without chains, which the caller supplies a page at a time.
    for (const s of this.slots) {
      const todo = await this.call<RecheckItem[]>(s, { type: 'retry-candidates' });
      changed.push(...(await recheckPaged(todo, chains, (items) => this.call<SettledChange[]>(s, { type: 'recheck', items }))));
    }
    for (const c of changed) {
      const hit = this.cache.get(c.entry.hash);
      const mine = (Array.isArray(hit) ? hit : hit ? [hit] : []).find((x) => x.from === c.from && x.until === c.until);
      if (mine) Object.assign(mine, c.entry);
    }
    return changed;
  }

  async stats(): Promise<SourceStats> {
    const all = await Promise.all(this.slots.map((s) => this.call<SourceStats>(s, { type: 'stats' })));
    const first = all[0]!;
    return {
      ...first,
      validations: all.reduce((n, s) => n + s.validations, 0),
      intermediates: Math.max(...all.map((s) => s.intermediates)),
      workers: this.slots.length,
    };
  }

  /** Each worker thread's heap (diagnostics: bench/stream-analysis-memory.mjs reports what the validator threads hold). */
  heap(): Promise<WorkerHeap[]> {
    return Promise.all(this.slots.map((s) => this.call<WorkerHeap>(s, { type: 'heap' })));
  }

  async close(): Promise<void> {
    // Each worker's validator closes its chain spill file first (a failed worker has nothing to close).
    await Promise.all(this.slots.map((s) => this.call(s, { type: 'close' }).catch(() => undefined)));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

/**
 * A worker thread that ran out of heap (Node ends it with ERR_WORKER_OUT_OF_MEMORY; the process
 * lives on) as the same memory error the main thread's heap guard gives, with what to do.
 */
function workerError(err: Error): Error {
  if ((err as { code?: unknown }).code !== 'ERR_WORKER_OUT_OF_MEMORY') return err;
  return new WildtlsError(
    'WILDTLS_ERR_MEMORY',
    `a certificate validation worker thread ran out of its JavaScript heap (${err.message}): ${MEMORY_ERROR_FIXES}`,
    { cause: err },
  );
}
