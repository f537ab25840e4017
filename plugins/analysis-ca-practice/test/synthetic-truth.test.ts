import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@wildtls/core';
import plugin from '@wildtls/analysis-ca-practice';
// The repository's synthetic result generator (test/synthetic), shared by the analysis truth tests.
import { synthetic, table, type Synthetic } from '../../../test/analyses/synthetic-fixture.js';

describe('ca-practice on the synthetic data set', () => {
  let s: Synthetic;
  beforeAll(async () => {
    s = await synthetic();
  }, 120_000);
  afterAll(() => s?.cleanup());

  it('recovers the known class of every distinct chain exactly', async () => {
    const roots = join(mkdtempSync(join(tmpdir(), 'ca-syn-')), 'roots.pem');
    writeFileSync(roots, s.rootPem);
    const container = { register() {}, isRegistered: () => false } as never;
    const a = await plugin.create({ options: { workers: 1 }, logger: silentLogger(), container, params: { rootsFile: roots } });
    const [report] = await s.run(a);
    const chains = Object.fromEntries(table(report!, 'chains').rows.filter((r) => r.kind === 'class').map((r) => [r.name, r.chains]));
    const truth = s.truth.chainClasses as Record<string, number>;
    for (const cls of ['valid', 'self-signed', 'expired', 'not-yet-valid', 'unknown-issuer', 'missing-intermediate', 'bad-signature', 'other']) {
      expect(chains[cls], cls).toBe(truth[cls] ?? 0);
    }
    expect(report!.totals.records).toBe(s.truth.records);
  }, 120_000);
});
