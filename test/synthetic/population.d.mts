import type { ProbeRecord, ReportCell } from '@wildtls/core';
export const DEFAULT_AT: string;
export class PopulationError extends Error {}

export interface ExpectedTable {
  title?: string;
  paper?: { ref: string; order?: number };
  /** Rows written as arrays, in this column order. */
  columns?: string[];
  /** Report columns left out of the comparison (a fingerprint, say). */
  ignore?: string[];
  /** Only the report's rows with these cell values are compared. */
  where?: Record<string, ReportCell>;
  rows: Array<Record<string, unknown> | unknown[]>;
}
export interface Expectation {
  analysis?: string;
  /** Analyses run beside it in the same container (their reports are not compared). */
  with?: string[];
  options?: Record<string, unknown>;
  /** Hand the analysis the population's trust anchor (params.rootsFile); default true. */
  roots?: boolean;
  /** Hand the analysis the population's time (params.at); default false (each record's startedAt). */
  at?: boolean;
  totals?: Record<string, number>;
  tables: Record<string, ExpectedTable>;
  /** The report's tables beyond the study that are not compared row by row. */
  others?: string[];
  /** The report may hold tables named nowhere here. */
  partial?: boolean;
}
export interface Population {
  describe?: string;
  at?: string;
  seed?: number;
  shuffle?: boolean;
  certificates?: Record<string, Record<string, unknown>>;
  groups: Array<Record<string, unknown>>;
  expect?: Record<string, Expectation>;
}
export interface Built {
  at: Date;
  rootPem: string;
  size: number;
  records(): Generator<ProbeRecord>;
  made: { records: number; minted: number; declared: number; keys: number };
}
export function readPopulation(file: string | URL): Population;
export function checkPopulation(p: unknown, where?: string): Population;
export function expandIps(spec: string | string[]): string[];
export function autoAddress(n: number): string;
export function rng(seed: number): () => number;
export function buildPopulation(p: Population, o?: { scale?: number }): Promise<Built>;
