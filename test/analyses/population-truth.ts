/**
 * Runs a population's `expect:` section (test/synthetic/README.md, "Population
 * format"): each run creates one analysis as a run does (register hook, then
 * create, in a DI container of its own), feeds it the records and compares the
 * report with what the description says, literally. Nothing here knows an
 * analysis's counting rules: it only turns "n/d" into n / d and rows written
 * as arrays into objects.
 */
import 'reflect-metadata';
import { container as root } from 'tsyringe';
import { expect } from 'vitest';
import caPracticePlugin from '@wildtls/analysis-ca-practice';
import cryptoPlugin from '@wildtls/analysis-crypto';
import reusePlugin from '@wildtls/analysis-reuse';
import saslPlugin from '@wildtls/analysis-sasl';
import starttlsPlugin from '@wildtls/analysis-starttls';
import { readRecords, silentLogger, type AnalysisPlugin, type ProbeRecord, type Report, type ReportCell, type ReportTable } from '@wildtls/core';
import type { Expectation, ExpectedTable } from '../synthetic/population.mjs';

export const PLUGINS: Record<string, AnalysisPlugin<unknown>> = { starttls: starttlsPlugin, crypto: cryptoPlugin, sasl: saslPlugin, reuse: reusePlugin, 'ca-practice': caPracticePlugin };

/** "6/10" -> 0.6 (the analyses divide the same two integers); lists cell by cell; anything else as written. */
export function literal(v: unknown): unknown {
  if (typeof v === 'string') {
    const m = /^(\d+)\/(\d+)$/.exec(v);
    if (m) return Number(m[1]) / Number(m[2]);
  }
  if (Array.isArray(v)) return v.map(literal);
  return v;
}

export interface RunContext {
  /** The population's trust anchor, as a PEM file. */
  rootsFile?: string;
  at?: Date;
}

/**
 * Create the run's analyzer (and those of `with`, in one container: every register hook first, then
 * the analyzers, as `wildtls analyze` does), feed them the records (an iterable, or a result file read
 * with core's reader), return the run's report.
 */
export async function runExpectation(name: string, e: Expectation, records: Iterable<ProbeRecord> | string, ctx: RunContext): Promise<Report> {
  const ids = [e.analysis ?? name, ...(e.with ?? [])];
  const plugins = ids.map((id) => {
    const p = PLUGINS[id];
    if (!p) throw new Error(`expect ${name}: no analysis ${id}`);
    return p;
  });
  const container = root.createChildContainer();
  for (const [i, p] of plugins.entries()) await p.register?.({ container, logger: silentLogger(), options: i === 0 ? e.options : undefined });
  const params = { ...(e.roots !== false && ctx.rootsFile ? { rootsFile: ctx.rootsFile } : {}), ...(e.at && ctx.at ? { at: ctx.at } : {}) };
  const analyzers = await Promise.all(plugins.map((p, i) => p.create({ options: (i === 0 ? e.options : undefined) ?? {}, params, container, logger: silentLogger() })));
  const feed = async (r: ProbeRecord) => {
    for (const a of analyzers) await a.consume(r);
  };
  if (typeof records === 'string') {
    for await (const r of readRecords(records)) await feed(r);
  } else {
    for (const r of records) await feed(r);
  }
  const reports = await Promise.all(analyzers.map((a) => a.finish()));
  return reports[0]!;
}

/** The report's rows to compare: those matching `where`, without the `ignore`d columns. */
export function rowsOf(t: ReportTable, e: ExpectedTable): Array<Record<string, ReportCell>> {
  const where = Object.entries(e.where ?? {});
  const ignore = new Set(e.ignore ?? []);
  return t.rows.filter((r) => where.every(([k, v]) => r[k] === v)).map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !ignore.has(k))));
}

/** The expected rows as the report writes them. */
export function expectedRows(id: string, e: ExpectedTable): Array<Record<string, unknown>> {
  return e.rows.map((row) => {
    if (!Array.isArray(row)) return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, literal(v)]));
    if (!e.columns || row.length !== e.columns.length) throw new Error(`${id}: row ${JSON.stringify(row)} does not match columns ${JSON.stringify(e.columns)}`);
    return Object.fromEntries(e.columns.map((c, i) => [c, literal(row[i])]));
  });
}

export function table(report: Report, id: string): ReportTable {
  const t = report.tables.find((x) => x.id === id);
  if (!t) throw new Error(`report ${report.analysis.id} has no table ${id}`);
  return t;
}

/** Totals: every declared key. */
export function checkTotals(report: Report, e: Expectation): void {
  if (e.totals) expect(report.totals).toMatchObject(e.totals);
}

/** The report holds the declared tables in the declared order, and (unless partial) only those and the `others`. */
export function checkTableList(report: Report, e: Expectation): void {
  const ids = report.tables.map((t) => t.id);
  const declared = Object.keys(e.tables);
  expect(ids.filter((id) => declared.includes(id))).toEqual(declared);
  if (!e.partial) expect([...ids].sort()).toEqual([...declared, ...(e.others ?? [])].sort());
  for (const id of e.others ?? []) {
    const t = table(report, id);
    expect(t.paper, id).toBeUndefined();
    expect(t.title, id).toContain('beyond the study');
  }
}

/** One table: its title (when declared), its paper marker (absent: none), every row. */
export function checkTable(report: Report, id: string, e: ExpectedTable): void {
  const t = table(report, id);
  if (e.title !== undefined) expect(t.title).toBe(e.title);
  expect(t.paper).toEqual(e.paper);
  expect(rowsOf(t, e)).toEqual(expectedRows(id, e));
}
