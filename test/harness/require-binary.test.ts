import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../cli/run-cli.js';
import { ALLOW_MISSING_SERVERS } from './require-binary.js';

/** Run vitest on the fixture suite whose daemon is missing; bounded in time. */
function runFixture(env: Record<string, string>): Promise<{ code: number; out: string }> {
  const dir = join(ROOT, 'test/fixtures/missing-binary');
  const vitest = join(ROOT, 'node_modules/vitest/vitest.mjs');
  return new Promise((resolve, reject) => {
    const base = { ...process.env, NO_COLOR: '1', CI: '', [ALLOW_MISSING_SERVERS]: '' };
    const child = spawn(process.execPath, [vitest, 'run', '--root', dir], { cwd: dir, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`vitest on the fixture did not finish in time\n${out}`));
    }, 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, out });
    });
  });
}

describe('requireBinary: a real-server suite never passes silently', () => {
  it('fails when its binary is missing, naming the binary and the Debian package', async () => {
    const r = await runFixture({});
    expect(r.code, r.out).not.toBe(0);
    expect(r.out).toContain('/nonexistent/wildtls-test/sbin/imaginaryd is missing (Debian package imaginary-daemon)');
    expect(r.out).toMatch(/1 failed/);
    expect(r.out).not.toMatch(/\d+ passed/);
  });

  it(`is skipped, loudly, only with ${ALLOW_MISSING_SERVERS}=1`, async () => {
    const r = await runFixture({ [ALLOW_MISSING_SERVERS]: '1' });
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain(`SKIPPED because ${ALLOW_MISSING_SERVERS}=1: /nonexistent/wildtls-test/sbin/imaginaryd is missing (Debian package imaginary-daemon)`);
    expect(r.out).toMatch(/2 skipped/);
    expect(r.out).not.toMatch(/\d+ passed|failed/);
  });
});
