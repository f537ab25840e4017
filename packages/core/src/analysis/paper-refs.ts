/**
 * The study's labels (Holz et al., "TLS in the wild", NDSS 2016) and how a
 * table's `paper.ref` is placed among them. A ref is a label as the study
 * prints it: "Table IV", "Tables VIII-XI" (one table covering several),
 * "Fig. 3", "Fig. 6a", "Figs. 6a-c"; "Text: <topic>" for a statistic the
 * study states in its text. Anything else is kept and placed last.
 */

export const STUDY = 'Holz, Amann, Mehani, Wachs, Kaafar: "TLS in the wild: an Internet-wide analysis of TLS-based protocols for electronic communication", NDSS 2016';

/** The study's tables and figures that wildtls reproduces, in the study's order. */
export const STUDY_LABELS: readonly string[] = [
  'Table I', 'Table III', 'Table IV', 'Table VI', 'Table VIII', 'Table IX', 'Table X', 'Table XI', 'Table XII', 'Table XIII',
  'Fig. 3', 'Fig. 4', 'Fig. 5', 'Fig. 6a', 'Fig. 6b', 'Fig. 6c', 'Fig. 7',
];

type Kind = 'table' | 'figure' | 'text' | 'other';
const KIND_RANK: Record<Kind, number> = { table: 0, figure: 1, text: 2, other: 3 };

/** A numbered item: [number, sub-figure letter (0 none, 1 = a, ...)]. */
type Item = readonly [number, number];

export interface ParsedRef {
  kind: Kind;
  /** First and last item covered (tables and figures only). */
  from?: Item;
  to?: Item;
}

const ROMAN: Record<string, number> = { I: 1, V: 5, X: 10, L: 50, C: 100 };

function toRoman(n: number): string {
  const parts: Array<[number, string]> = [[100, 'C'], [90, 'XC'], [50, 'L'], [40, 'XL'], [10, 'X'], [9, 'IX'], [5, 'V'], [4, 'IV'], [1, 'I']];
  let s = '';
  for (const [v, r] of parts) for (; n >= v; n -= v) s += r;
  return s;
}

/** A table number, Roman (the study's) or Arabic; undefined when it is neither (IIII, VX...). */
function tableNumber(s: string): number | undefined {
  if (/^\d{1,4}$/.test(s)) return Number(s);
  if (!/^[IVXLC]{1,12}$/.test(s)) return undefined;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const v = ROMAN[s[i]!]!;
    const next = ROMAN[s[i + 1] ?? ''] ?? 0;
    n += v < next ? -v : v;
  }
  return toRoman(n) === s ? n : undefined;
}

const TABLE_RE = /^Tables?\s+([IVXLC]+|\d+)(?:\s*[-\u2013]\s*([IVXLC]+|\d+))?$/;
const FIGURE_RE = /^Fig(?:ure)?s?\.?\s*(\d{1,4})([a-z]?)(?:\s*[-\u2013]\s*(?:(\d{1,4})([a-z]?)|([a-z])))?$/;
const letter = (l: string | undefined) => (l ? l.charCodeAt(0) - 96 : 0);
const cmpItem = (a: Item, b: Item) => a[0] - b[0] || a[1] - b[1];

/** Parse one ref; a reversed or malformed range is 'other'. Bounded input: refs are short labels. */
export function parseRef(raw: string): ParsedRef {
  const ref = raw.trim();
  if (ref.length > 200) return { kind: 'other' };
  const t = TABLE_RE.exec(ref);
  if (t) {
    const a = tableNumber(t[1]!);
    const b = t[2] === undefined ? a : tableNumber(t[2]);
    if (a === undefined || b === undefined || b < a) return { kind: 'other' };
    return { kind: 'table', from: [a, 0], to: [b, 0] };
  }
  const f = FIGURE_RE.exec(ref);
  if (f) {
    const from: Item = [Number(f[1]), letter(f[2])];
    const endLetter = f[4] || f[5];
    // "Fig. 6" is the whole figure (every sub-figure); "Figs. 6a-c" ends at 6c; "Figs. 3-5" at the whole of 5.
    const toNum = f[3] !== undefined ? Number(f[3]) : from[0];
    const toLetter = endLetter ? letter(endLetter) : f[3] !== undefined ? Infinity : from[1] || Infinity;
    const to: Item = [toNum, toLetter];
    if (cmpItem(to, from) < 0) return { kind: 'other' };
    return { kind: 'figure', from, to };
  }
  if (/^Text\b/.test(ref)) return { kind: 'text' };
  return { kind: 'other' };
}

/** Whether a ref covers one of the study's labels ("Tables VIII-XI" covers "Table IX"). */
export function covers(ref: ParsedRef, label: ParsedRef): boolean {
  if (ref.kind !== label.kind || !ref.from || !ref.to || !label.from) return false;
  return cmpItem(ref.from, label.from) <= 0 && cmpItem(label.from, ref.to) <= 0;
}

/**
 * The study's order: tables by number, then figures by number and
 * sub-figure, then text statistics, then any other ref; refs that start at
 * the same place (or are not numbered) alphabetically.
 */
export function compareRefs(a: string, b: string): number {
  const pa = parseRef(a);
  const pb = parseRef(b);
  const byKind = KIND_RANK[pa.kind] - KIND_RANK[pb.kind];
  if (byKind) return byKind;
  const byItem = pa.from && pb.from ? cmpItem(pa.from, pb.from) : 0;
  return byItem || (a < b ? -1 : a > b ? 1 : 0);
}
