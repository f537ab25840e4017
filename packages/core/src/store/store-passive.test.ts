import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importIntoStore } from './import-records.js';
import { openStore } from './result-store.js';
import { storeHasPassive } from './store-passive.js';

const FIXTURE = resolve(__dirname, '../../../../test/synthetic/fixture/records.jsonl');
const dir = mkdtempSync(join(tmpdir(), 'wildtls-store-passive-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function hasPassive(lines: string[], name: string): Promise<boolean> {
  const file = join(dir, `${name}.jsonl`);
  writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
  const path = join(dir, `${name}.duckdb`);
  await importIntoStore([file], path);
  const store = await openStore(path, { readOnly: true });
  try {
    return await storeHasPassive(store);
  } finally {
    await store.close();
  }
}

describe('storeHasPassive', () => {
  const lines = readFileSync(FIXTURE, 'utf8').split('\n').filter(Boolean);
  it('is false for scan records only, true once one record has source "passive"', async () => {
    expect(await hasPassive(lines, 'scan')).toBe(false);
    const one = { ...(JSON.parse(lines[0]!) as Record<string, unknown>), source: 'passive' };
    expect(await hasPassive([...lines, JSON.stringify(one)], 'mixed')).toBe(true);
  }, 60_000);
});
