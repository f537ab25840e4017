import type { DialogRecord } from '../probe/dialog-context.js';
import { sanitize } from './read-reply.js';
import { CAPABILITY_ENTRY_LENGTH, MAX_CAPABILITIES, MAX_SASL_MECHANISMS, SASL_NAME_LENGTH } from '../record/list-caps.js';
import { skipSpace, wordEnd } from './words.js';

/** What a protocol's capability reply says (one phase). */
export interface CapabilityView {
  /** Capability entries, in the server's order (at most MAX_CAPABILITIES are recorded). */
  capabilities: string[];
  /** SASL mechanisms, in the server's order, upper-cased, de-duplicated (at most MAX_SASL_MECHANISMS are recorded). */
  sasl: string[];
  /** Whether the STARTTLS command is offered (decided from every entry the server listed, kept or not). */
  startTls: boolean;
  /** When a list was cut at its cap: how many entries the server listed in it, repeats included. */
  truncated?: { capabilities?: number; sasl?: number };
}

/**
 * One list of a record under construction: keeps the first `cap` entries in
 * the server's order (each once, when de-duplicating) and counts the rest.
 * Once it is full every further entry is only counted, a repeat of a kept one
 * too (telling repeats apart would mean keeping every entry), so a parser
 * checks `full` and calls `skip()` instead of building the entry's string.
 */
export class CappedList {
  // Fields declared and set in the constructor (no <instance_members_initializer> per class, which
  // lists made per reply make hot: see Connection).
  /** The entries kept, in the server's order. */
  declare readonly entries: string[];
  /** Every entry the server listed, repeats included. */
  declare listed: number;
  private declare dropped: boolean;
  /** Entries kept so far, when de-duplicating: made at the first entry (most lists of SASL mechanisms stay empty). */
  private declare seen: Set<string> | undefined;
  declare readonly cap: number;
  private declare readonly dedupe: boolean;

  constructor(cap: number, dedupe = false) {
    this.entries = [];
    this.listed = 0;
    this.dropped = false;
    this.seen = undefined;
    this.cap = cap;
    this.dedupe = dedupe;
  }

  /** The list holds `cap` entries: whatever comes next is counted, not kept. */
  get full(): boolean {
    return this.entries.length >= this.cap;
  }

  /** One entry as the server listed it: kept unless the list is full or (de-duplicating) it repeats a kept one. */
  add(entry: string): void {
    this.listed++;
    if (this.full) {
      this.dropped = true;
      return;
    }
    if (this.dedupe) {
      const seen = (this.seen ??= new Set());
      if (seen.has(entry)) return;
      seen.add(entry);
    }
    this.entries.push(entry);
  }

  /** One entry past the cap, counted without building it (call only when `full`). */
  skip(): void {
    this.listed++;
    this.dropped = true;
  }

  /** How many entries the server listed when some were dropped at the cap; undefined when the list is whole. */
  get truncated(): number | undefined {
    return this.dropped ? this.listed : undefined;
  }
}

/** The name of a SASL mechanism as records keep it: upper-cased, control characters escaped, bounded. */
export function mechanismName(raw: string): string {
  return sanitize(raw.toUpperCase(), SASL_NAME_LENGTH);
}

/** Offer each white-space separated word of `text[from, to)` to `sasl` as a mechanism name. */
export function addMechanismWords(sasl: CappedList, text: string, from = 0, to = text.length): void {
  for (let i = skipSpace(text, from, to); i < to; i = skipSpace(text, i, to)) {
    const e = wordEnd(text, i, to);
    if (sasl.full) sasl.skip();
    else sasl.add(mechanismName(text.slice(i, e)));
    i = e;
  }
}

/** The lists of a view from its capped lists: entries kept, and the counts of those that were cut. */
export function cappedView(capabilities: CappedList, sasl: CappedList, startTls: boolean): CapabilityView {
  const view: CapabilityView = { capabilities: capabilities.entries, sasl: sasl.entries, startTls };
  const c = capabilities.truncated;
  const s = sasl.truncated;
  if (c !== undefined || s !== undefined) view.truncated = { ...(c !== undefined ? { capabilities: c } : {}), ...(s !== undefined ? { sasl: s } : {}) };
  return view;
}

type Phase = 'beforeTls' | 'afterTls';
type PhaseLists = NonNullable<DialogRecord['capabilities']>;

/**
 * Write one phase's capabilities and SASL mechanisms to the record: at most
 * MAX_CAPABILITIES and MAX_SASL_MECHANISMS entries (the first, in the server's
 * order), each escaped and bounded, and `truncated.<phase>` with how many the
 * server listed when a list was cut. The one place every protocol's lists
 * reach the record, so the caps hold for third-party plugins' views too.
 */
export function recordCapabilities(record: DialogRecord, phase: Phase, view: Pick<CapabilityView, 'capabilities' | 'sasl' | 'truncated'>): void {
  record.capabilities = put(record.capabilities, phase, view.capabilities, MAX_CAPABILITIES, CAPABILITY_ENTRY_LENGTH, view.truncated?.capabilities);
  record.sasl = put(record.sasl, phase, view.sasl, MAX_SASL_MECHANISMS, SASL_NAME_LENGTH, view.truncated?.sasl);
}

function put(lists: PhaseLists | undefined, phase: Phase, entries: string[], cap: number, length: number, listed: number | undefined): PhaseLists {
  // A view that did not cap its own lists (a third-party parser) is cut here.
  const cut = entries.length > cap ? Math.max(listed ?? 0, entries.length) : listed;
  // A loop, not slice().map() with a closure: one array, and no map() array of another elements kind.
  const n = Math.min(entries.length, cap);
  const kept: string[] = [];
  for (let i = 0; i < n; i++) kept.push(sanitize(entries[i]!, length));
  const truncated = lists?.truncated;
  if (cut !== undefined || truncated !== undefined) return withCounts(lists, phase, kept, cut, truncated);
  // Nothing cut in any phase (the usual case): a later phase is written in place, where it goes last
  // as in a copy (a record's lists are the dialog's own until the probe settles; one emitted while a
  // dialog still runs is a copy), unless they are frozen.
  if (lists && Object.isExtensible(lists)) {
    lists[phase] = kept;
    return lists;
  }
  return withCounts(lists, phase, kept, undefined, undefined);
}

/**
 * The phases in the order they were written, then truncated (always last): a new object, keys
 * copied one by one (an object spread with a rest pattern goes through V8's slow runtime path).
 */
function withCounts(lists: PhaseLists | undefined, phase: Phase, kept: string[], cut: number | undefined, truncated: PhaseLists['truncated']): PhaseLists {
  const out: PhaseLists = {};
  if (lists) for (const k in lists) if (k !== 'truncated') out[k as Phase] = lists[k as Phase];
  out[phase] = kept;
  const counts = cut === undefined ? truncated : { ...truncated, [phase]: cut };
  if (counts) out.truncated = counts;
  return out;
}
