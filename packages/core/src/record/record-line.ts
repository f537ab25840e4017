import type { ProbeRecord } from './record-schema.js';
import { RecentSlots } from './recent-slots.js';

/**
 * A record's JSON line when one was made already: a probe worker's record is
 * parsed from the line the worker serialized, and a passive record is built
 * with its line. The JSONL sink writes that line instead of serializing the
 * record again on the main thread (the thread every record passes through).
 *
 * Kept on the record under this symbol, not enumerable: JSON.stringify,
 * Object.keys, spread, Object.assign and structuredClone do not see it, so the
 * record's own keys are untouched and a copy never carries it. (A WeakMap
 * beside the record did the same, but its entries cost the garbage collector
 * more than the serialization they saved for passive records.) A consumer that
 * changes a record afterwards does not change its line: records are data to read.
 */
const LINE = Symbol('wildtls.recordLine');

type WithLine = ProbeRecord & { [LINE]?: string };

/** Parse a record's JSON line and remember the line for the sinks. */
export function parseRecordLine(line: string): ProbeRecord {
  const record = JSON.parse(line) as ProbeRecord;
  setRecordLine(record, line);
  return record;
}

/** Remember `line`, which must be JSON.stringify(record) exactly, or the line the record was parsed from. */
export function setRecordLine(record: ProbeRecord, line: string): void {
  Object.defineProperty(record, LINE, { value: line });
}

/** The record as one JSON line (no newline): the line it was parsed from or built with, or a fresh serialization. */
export function recordLine(record: ProbeRecord): string {
  return (record as WithLine)[LINE] ?? (record.tls === undefined ? JSON.stringify(record) : lineWithChain(record));
}

/*
 * A record's `tls.chain` is most of its line (the certificates' base64: ~1.7 of ~2.6 KB for a probe of
 * a two-certificate chain), and the engine hands the records of the same chain one shared frozen
 * array (tls/observations.ts). Its JSON is made once per such array and spliced into the line of every
 * later record that carries it; the rest of the line is JSON.stringify's own, of shallow copies in which
 * `tls` and `chain` are 0 (a spread copy keeps the keys' order). The result is JSON.stringify(record)
 * byte for byte, or the splice is not used:
 * - only a frozen array of strings is remembered (its JSON cannot change), by identity, in CHAIN_SLOTS
 *   slots (oldest replaced first), and only up to CHAIN_MAX_CHARS: its JSON is made the second time the
 *   array is met, so a chain met once costs no more than JSON.stringify;
 * - `"tls":0` must occur once in the copy's JSON (and `"chain":0` once in the copy of `tls`'s): then it
 *   is the key the copy set. Inside a string a quote is escaped (`\"`), so no string gives it, and a
 *   key of the same name deeper down (with a value that begins with 0) makes two: no splice then;
 * - no toJSON on the record, its `tls` or the chain (the copies would not carry one).
 */
const CHAIN_SLOTS = 16;
/** A chain longer than this (its certificates' text) is not remembered: what is kept stays small (16 x 64 KiB at most). */
const CHAIN_MAX_CHARS = 65536;
const chainSeen = new RecentSlots<readonly unknown[]>(CHAIN_SLOTS);
/** Each remembered chain's JSON once made, at its slot in chainSeen. */
const chainJson: Array<string | undefined> = [];
const TLS_MARK = '"tls":0';
const CHAIN_MARK = '"chain":0';

function lineWithChain(record: ProbeRecord): string {
  const tls = record.tls as unknown as { chain?: unknown; toJSON?: unknown } | null;
  const chain = tls === null || typeof tls !== 'object' ? undefined : tls.chain;
  const json = Array.isArray(chain) && chain.length > 0 ? sharedChainJson(chain) : undefined;
  if (json === undefined || (record as { toJSON?: unknown }).toJSON !== undefined || tls!.toJSON !== undefined || (chain as { toJSON?: unknown }).toJSON !== undefined) {
    return JSON.stringify(record);
  }
  const rest = JSON.stringify({ ...record, tls: 0 });
  const tlsRest = JSON.stringify({ ...tls, chain: 0 });
  const at = rest.indexOf(TLS_MARK);
  const chainAt = tlsRest.indexOf(CHAIN_MARK);
  if (at < 0 || chainAt < 0 || rest.indexOf(TLS_MARK, at + 1) >= 0 || tlsRest.indexOf(CHAIN_MARK, chainAt + 1) >= 0) return JSON.stringify(record);
  return (
    rest.slice(0, at + TLS_MARK.length - 1) +
    tlsRest.slice(0, chainAt + CHAIN_MARK.length - 1) +
    json +
    tlsRest.slice(chainAt + CHAIN_MARK.length) +
    rest.slice(at + TLS_MARK.length)
  );
}

/** The JSON of a shared chain met before; undefined the first time (it is remembered then) or for a chain that may change. */
function sharedChainJson(chain: readonly unknown[]): string | undefined {
  const seen = chainSeen.items;
  for (let i = 0; i < seen.length; i++) {
    if (seen[i] !== chain) continue;
    return (chainJson[i] ??= JSON.stringify(chain));
  }
  if (!Object.isFrozen(chain)) return undefined;
  let chars = 0;
  for (let i = 0; i < chain.length; i++) {
    const text = chain[i];
    if (typeof text !== 'string') return undefined;
    chars += text.length;
  }
  if (chars > CHAIN_MAX_CHARS) return undefined;
  chainJson[chainSeen.add(chain)] = undefined;
  return undefined;
}
