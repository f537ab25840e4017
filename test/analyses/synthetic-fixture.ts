/**
 * Shared by the analysis truth tests: a synthetic data set written as gzipped
 * JSONL, read back with core's streaming reader, fed to an analyzer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRecords, type Analyzer, type Report, type ReportTable } from '@wildtls/core';
// @ts-expect-error plain ESM module without types
import { buildSynthetic, writeSynthetic } from '../synthetic/generate.mjs';

export interface Synthetic {
  file: string;
  rootPem: string;
  truth: any;
  run(...analyzers: Analyzer[]): Promise<Report[]>;
  cleanup(): void;
}

export async function synthetic(options: Record<string, unknown> = {}): Promise<Synthetic> {
  const dir = mkdtempSync(join(tmpdir(), 'wildtls-synthetic-'));
  const file = join(dir, 'results.jsonl.gz');
  const set = await buildSynthetic({ chains: 1500, uniqueKeyCerts: 12, keysPerClass: 6, seed: 7, ...options });
  const truth = await writeSynthetic(set, file);
  return {
    file,
    rootPem: set.rootPem,
    truth,
    async run(...analyzers) {
      for await (const r of readRecords(file)) for (const a of analyzers) await a.consume(r);
      return Promise.all(analyzers.map((a) => a.finish()));
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function table(report: Report, id: string): ReportTable {
  const t = report.tables.find((x) => x.id === id);
  if (!t) throw new Error(`report ${report.analysis.id} has no table ${id}`);
  return t;
}

/** { "service:port": row } for tables keyed by service and port. */
export function byGroup(t: ReportTable): Record<string, Record<string, unknown>> {
  return Object.fromEntries(t.rows.map((r) => [`${r.service}:${r.port}`, r]));
}

/** { "service:port": { [keyCol]: valueCol } } */
export function nested(t: ReportTable, keyCol: string, valueCol: string): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const r of t.rows) (out[`${r.service}:${r.port}`] ??= {})[String(r[keyCol])] = r[valueCol];
  return out;
}
