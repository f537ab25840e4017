import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { WildtlsConfig } from '../../config/core-schema.js';
import { workerCount } from './start-pool.js';

const config = (workers?: number) => ({ scan: workers === undefined ? {} : { workers } }) as WildtlsConfig;

describe('the number of workers a pool starts with (wildtls worker; scan.workers)', () => {
  const cores = availableParallelism();

  it('keeps a scan of up to 8,192 probes in the main thread', () => {
    for (const probes of [1, 254, 4064, 8192]) expect(workerCount(config(), probes), `${probes} probes`).toBe(1);
  });

  it('adds a worker per 8,192 probes, up to the number of cores', () => {
    expect(workerCount(config(), 8193)).toBe(Math.min(cores, 2));
    expect(workerCount(config(), 12192)).toBe(Math.min(cores, 2));
    expect(workerCount(config(), 3 * 8192 + 1)).toBe(Math.min(cores, 4));
    expect(workerCount(config(), 10_000_000)).toBe(cores);
  });

  it('uses every core when the number of probes is not known up front (zmap, domains)', () => {
    expect(workerCount(config(), undefined)).toBe(cores);
  });

  it('takes scan.workers as given', () => {
    expect(workerCount(config(1), 10_000_000)).toBe(1);
    expect(workerCount(config(3), 10)).toBe(3);
  });
});
