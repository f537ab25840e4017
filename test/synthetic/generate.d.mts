import type { Built, Population } from './population.mjs';
export function stringify(v: unknown): string;
export function writeRecords(records: Iterable<unknown>, file: string): Promise<number>;
export function writePopulation(p: Population, file: string, o?: { scale?: number }): Promise<{ built: Built; made: Built['made'] & { records: number; at: string; scale: number } }>;
