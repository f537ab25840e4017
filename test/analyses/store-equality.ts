/*
 * The store path of an analysis against its stream path: the same records
 * imported into a result store (core's importIntoStore) and read back as JSONL
 * (core's readRecords); analyzeStore on the one, consume/finish on the other.
 * The stream path is the truth here: it has its own truth tests
 * (paper-truth, mid-size-truth, the plugins' tests).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importIntoStore, openStore, readRecords, type Analyzer, type ProbeRecord, type Report } from '@wildtls/core';
import { readPopulation } from '../synthetic/population.mjs';
import { writePopulation } from '../synthetic/generate.mjs';

const FIXTURE = new URL('../synthetic/fixture/records.jsonl', import.meta.url).pathname;
const MID_SIZE = new URL('./mid-size-population.yaml', import.meta.url);

export interface BothPaths {
  stream: Report;
  store: Report;
}

/** A scratch directory, removed by the returned function. */
export function scratch(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `wildtls-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Records written as a JSONL file (declarative records of a test). */
export function writeJsonl(file: string, records: readonly unknown[]): string {
  writeFileSync(file, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return file;
}

/** The scan records of a list (passive ones left out): a store of them is counted in SQL, one with passive records is streamed. */
export function scanOnly<T>(records: readonly T[]): T[] {
  return records.filter((r) => (r as { source?: unknown }).source !== 'passive');
}

let stores = 0;

/** Import `file` into a new store in `dir` (once per file: reuse the returned path). */
export async function storeOf(file: string, dir: string): Promise<string> {
  const path = join(dir, `store-${++stores}.duckdb`);
  await importIntoStore([file], path);
  return path;
}

/** A test's declared records written twice: all of them (passive ones streamed), and the scan records only (counted in SQL). */
export interface EdgeStores {
  file: string;
  store: string;
  scanFile: string;
  scanStore: string;
}

/** Write `records` as edge.jsonl and edge-scan.jsonl in `dir`, each imported into a store of its own. */
export async function edgeStores(records: readonly unknown[], dir: string): Promise<EdgeStores> {
  const file = writeJsonl(join(dir, 'edge.jsonl'), records);
  const scanFile = writeJsonl(join(dir, 'edge-scan.jsonl'), scanOnly(records));
  return { file, store: await storeOf(file, dir), scanFile, scanStore: await storeOf(scanFile, dir) };
}

/** Both paths, each with an analyzer of its own from `create`. */
export async function bothPaths(create: () => Analyzer | Promise<Analyzer>, file: string, storePath: string): Promise<BothPaths> {
  const streamed = await create();
  for await (const r of readRecords(file)) await streamed.consume(r);
  const stream = await streamed.finish();
  const counted = await create();
  if (!counted.analyzeStore) throw new Error('this analyzer has no analyzeStore');
  const s = await openStore(storePath);
  try {
    return { stream, store: await counted.analyzeStore(s) };
  } finally {
    await s.close();
  }
}

/** The fixture library (test/synthetic/fixture: every record shape, hostile ones too) through both paths. */
export async function fixtureBothPaths(create: () => Analyzer | Promise<Analyzer>, dir: string): Promise<BothPaths> {
  return bothPaths(create, FIXTURE, await storeOf(FIXTURE, dir));
}

/** The mid-size population (test/analyses/mid-size-population.yaml) written as JSONL.gz in `dir`, through both paths. */
export async function midSizeBothPaths(create: () => Analyzer | Promise<Analyzer>, dir: string): Promise<BothPaths> {
  const file = join(dir, `mid-${++stores}.jsonl.gz`);
  await writePopulation(readPopulation(MID_SIZE), file);
  return bothPaths(create, file, await storeOf(file, dir));
}

export type { ProbeRecord };
