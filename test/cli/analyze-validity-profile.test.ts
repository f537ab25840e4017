import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { certificateChain } from '@wildtls/core/testing';
import { runCli } from './run-cli.js';

/**
 * `wildtls analyze --validity-profile` reaches ca-practice: a chain that
 * OpenSSL verifies but whose leaf lacks an authority key identifier
 * (@wildtls/core/testing's chains), probed under a name its leaf does not
 * cover, is valid by default and invalid (other, host name) under strict.
 */
describe('analyze --validity-profile', () => {
  let dir: string;
  let results: string;
  let roots: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wildtls-profile-'));
    const ch = await certificateChain({ keyType: 'ec', leafName: 'mail.wildtls.test' });
    roots = join(dir, 'roots.pem');
    writeFileSync(roots, ch.root.certPem);
    results = join(dir, 'results.jsonl');
    const record = {
      ip: '127.0.0.1', port: 25, service: 'smtp', protocol: 'smtp', mode: 'starttls', status: 'success', domain: 'other.wildtls.test',
      startedAt: new Date().toISOString(), durationMs: 1,
      tls: { chain: [ch.leaf.der.toString('base64'), ch.intermediate.der.toString('base64')], ocspStapled: false, completed: true },
    };
    writeFileSync(results, `${JSON.stringify(record)}\n`);
  });

  const validity = async (extra: string[]) => {
    const r = await runCli(['analyze', results, '--analysis', 'ca-practice', '--format', 'json', '--roots', roots, ...extra], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    // JSON output is keyed by analysis id.
    const report = (JSON.parse(r.stdout) as Record<string, { tables: Array<{ id: string; rows: Array<Record<string, unknown>> }> }>)['ca-practice']!;
    return (id: string) => report.tables.find((t) => t.id === id)!.rows[0]!;
  };

  it('openssl by default, strict on request, and refuses an unknown profile', async () => {
    const byDefault = await validity([]);
    expect(byDefault('validity')).toMatchObject({ servers: 1, valid: 1, other: 0 });
    expect(byDefault('hostnames')).toMatchObject({ named: 1, mismatched: 1 });
    const strict = await validity(['--validity-profile', 'strict']);
    expect(strict('validity')).toMatchObject({ servers: 1, valid: 0, other: 1, 'hostname-mismatch': 1 });
    const bad = await runCli(['analyze', results, '--analysis', 'ca-practice', '--validity-profile', 'lenient'], { cwd: dir });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/validity-profile/);
  }, 60_000);
});
