/**
 * `wildtls analyze` with the reuse analysis, as a user runs it: the built-in
 * plugins are all loaded, so ca-practice registers its validator even when
 * only reuse runs, and --roots must reach it either way. Input: the mid-size
 * population written by the synthetic generator; the expected classes are the
 * ones its description declares (mid-size-population.yaml, reuse / summary).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { readPopulation } from '../synthetic/population.mjs';
import { writePopulation } from '../synthetic/generate.mjs';
import { expectedRows } from './population-truth.js';

const p = readPopulation(new URL('./mid-size-population.yaml', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'wildtls-reuse-cli-'));
const file = join(dir, 'mid-size.jsonl.gz');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('wildtls analyze --analysis reuse', () => {
  beforeAll(async () => {
    await writePopulation(p, file);
  }, 120_000);

  const summaryAll = async (args: string[]) => {
    const r = await runCli(['analyze', file, ...args, '--format', 'json'], { cwd: dir, timeoutMs: 120_000 });
    expect(r.stderr).toBe('');
    const reuse = JSON.parse(r.stdout).reuse;
    return reuse.tables.find((t: { id: string }) => t.id === 'summary').rows.find((x: { service: string }) => x.service === 'all');
  };

  it('classifies with the given roots whether or not ca-practice runs too', async () => {
    const declared = expectedRows('summary', p.expect!.reuse!.tables.summary!).find((r) => r.service === 'all')!;
    expect(declared).toMatchObject({ certificates: 787, valid: 664, selfSigned: 52, invalid: 71 });
    const roots = ['--roots', `${file}.roots.pem`];
    expect(await summaryAll(['--analysis', 'reuse', ...roots])).toEqual(declared);
    expect(await summaryAll(['--analysis', 'reuse', '--analysis', 'ca-practice', ...roots])).toEqual(declared);
  }, 120_000);

  it('refuses an unusable roots file with a usage error', async () => {
    const r = await runCli(['analyze', file, '--analysis', 'reuse', '--roots', join(dirname(file), 'missing.pem')], { cwd: dir });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/cannot use the trust anchors in .*missing\.pem.*WILDTLS_ERR_USAGE/);
  });
});
