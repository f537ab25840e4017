/**
 * `wildtls analyze` with the reuse analysis, as a user runs it: the built-in
 * plugins are all loaded, so ca-practice registers its validator even when
 * only reuse runs, and --roots must reach it either way.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { synthetic, type Synthetic } from './synthetic-fixture.js';

describe('wildtls analyze --analysis reuse', () => {
  let s: Synthetic;
  let rootsFile: string;
  beforeAll(async () => {
    s = await synthetic({ chains: 300, uniqueKeyCerts: 4, seed: 11 });
    rootsFile = join(dirname(s.file), 'roots.pem');
    writeFileSync(rootsFile, s.rootPem);
  });
  afterAll(() => s.cleanup());

  const summaryAll = async (args: string[]) => {
    const r = await runCli(['analyze', s.file, ...args, '--format', 'json'], { cwd: dirname(s.file) });
    expect(r.stderr).toBe('');
    const reuse = JSON.parse(r.stdout).reuse;
    return reuse.tables.find((t: { id: string }) => t.id === 'summary').rows.find((x: { service: string }) => x.service === 'all');
  };

  it('classifies with the given roots whether or not ca-practice runs too', async () => {
    const truth = s.truth.reuse.summary.all;
    const expected = { certificates: truth.certificates, valid: truth.valid, selfSigned: truth.selfSigned, invalid: truth.invalid };
    expect(truth.valid).toBeGreaterThan(0);
    expect(await summaryAll(['--analysis', 'reuse', '--roots', rootsFile])).toMatchObject(expected);
    expect(await summaryAll(['--analysis', 'reuse', '--analysis', 'ca-practice', '--roots', rootsFile])).toMatchObject(expected);
  });

  it('refuses an unusable roots file with a usage error', async () => {
    const r = await runCli(['analyze', s.file, '--analysis', 'reuse', '--roots', join(dirname(s.file), 'missing.pem')], { cwd: dirname(s.file) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/cannot use the trust anchors in .*missing\.pem.*WILDTLS_ERR_USAGE/);
  });
});
