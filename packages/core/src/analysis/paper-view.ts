import { STUDY, STUDY_LABELS, compareRefs, covers, parseRef } from './paper-refs.js';
import type { Report, ReportTable } from './report.js';

/** One label of the study with the tables that reproduce it, or why there are none. */
export interface PaperSection {
  /** The label the section is under: a table's `paper.ref`, or a study label no table covers. */
  ref: string;
  /** The tables marked with this ref, in `order` (then report) order: analysis id and table id. */
  tables: Array<{ analysis: string; table: string }>;
  /** Set when no report here has a table for this study label. */
  missing?: string;
}

/**
 * The paper view: the reports' tables that reproduce the study, laid out in
 * the study's order. Built from `ReportTable.paper` alone: no analysis and
 * no table id is known here.
 */
export interface PaperView {
  study: string;
  sections: PaperSection[];
  /** The reports with a marked table, each keeping only those tables, in view order (totals and notes kept). */
  reports: Report[];
  /** Analyses that ran but marked no table. */
  unmarked: string[];
}

export const MISSING_TEXT = 'not in these reports (no analysis that ran reproduces it, or it does not apply to this data, e.g. a passive-only table over an active scan)';

interface Placed {
  report: number;
  index: number;
  table: ReportTable;
  ref: string;
}

const byOrder = (a: Placed, b: Placed) => (a.table.paper!.order ?? Infinity) - (b.table.paper!.order ?? Infinity) || a.report - b.report || a.index - b.index;

export function paperView(reports: Report[]): PaperView {
  const placed: Placed[] = [];
  reports.forEach((r, report) =>
    r.tables.forEach((table, index) => {
      const ref = table.paper?.ref.trim();
      if (ref) placed.push({ report, index, table, ref });
    }),
  );
  const byRef = new Map<string, Placed[]>();
  for (const p of placed) {
    const list = byRef.get(p.ref);
    if (list) list.push(p);
    else byRef.set(p.ref, [p]);
  }
  const parsed = [...byRef.keys()].map(parseRef);
  const missing = STUDY_LABELS.filter((label) => !parsed.some((p) => covers(p, parseRef(label))));
  const refs = [...byRef.keys(), ...missing].sort(compareRefs);

  const sections: PaperSection[] = [];
  const ordered: Placed[] = [];
  for (const ref of refs) {
    const list = byRef.get(ref);
    if (!list) {
      sections.push({ ref, tables: [], missing: MISSING_TEXT });
      continue;
    }
    list.sort(byOrder);
    ordered.push(...list);
    sections.push({ ref, tables: list.map((p) => ({ analysis: reports[p.report]!.analysis.id, table: p.table.id })) });
  }

  // Each report keeps its marked tables in view order; reports follow their first table.
  const kept = new Map<number, ReportTable[]>();
  for (const p of ordered) {
    const list = kept.get(p.report);
    if (list) list.push(p.table);
    else kept.set(p.report, [p.table]);
  }
  return {
    study: STUDY,
    sections,
    reports: [...kept].map(([i, tables]) => ({ ...reports[i]!, tables })),
    unmarked: reports.filter((_, i) => !kept.has(i)).map((r) => r.analysis.id),
  };
}
