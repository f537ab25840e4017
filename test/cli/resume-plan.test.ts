import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

// Nothing listens on 127.0.64.30-31 port 1: each probe is a quick connect-failed record.
const quiet = ['--progress', 'off', '--log-level', 'warn', '--allow', '127.0.0.0/8'];

describe('--resume refuses a changed plan, naming what changed, and leaves the output alone', () => {
  it('services, ports, targets, profile: each refused with exit 2; the same plan resumes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wildtls-resume-plan-'));
    const base = ['scan', '127.0.64.30', '-o', 'out.jsonl', '--checkpoint', 'scan.ckpt', ...quiet];
    const first = await runCli([...base, '-p', 'smtp', '--port', '1'], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    const written = readFileSync(join(dir, 'out.jsonl'), 'utf8');
    expect(written.trim().split('\n')).toHaveLength(1);
    const ckpt = JSON.parse(readFileSync(join(dir, 'scan.ckpt'), 'utf8')) as { plan: { summary: { services: Record<string, number[]> } } };
    expect(ckpt.plan.summary.services).toEqual({ smtp: [1] });

    const cases: Array<[string[], string]> = [
      [['127.0.64.30', '-p', 'imap', '--port', '1'], 'services and ports: smtp:1 -> imap:1'],
      [['127.0.64.30', '-p', 'smtp', '--port', '2'], 'services and ports: smtp:1 -> smtp:2'],
      [['127.0.64.31', '-p', 'smtp', '--port', '1'], 'targets: 127.0.64.30 -> 127.0.64.31'],
      [['127.0.64.30', '-p', 'smtp', '--port', '1', '--profile', 'modern'], 'tls.profile: study -> modern'],
    ];
    for (const [changed, what] of cases) {
      const r = await runCli(['scan', ...changed, '-o', 'out.jsonl', '--checkpoint', 'scan.ckpt', ...quiet, '--resume'], { cwd: dir });
      expect(r.code, changed.join(' ')).toBe(2);
      expect(r.stderr).toBe(`wildtls: --resume: the scan plan differs from the checkpoint scan.ckpt (${what}); resume with the options of the interrupted scan, or start a new scan with another --output and --checkpoint [WILDTLS_ERR_USAGE]\n`);
      expect(readFileSync(join(dir, 'out.jsonl'), 'utf8')).toBe(written);
    }
    const same = await runCli([...base, '-p', 'smtp', '--port', '1', '--resume'], { cwd: dir });
    expect(same.code, same.stderr).toBe(0);
    expect(readFileSync(join(dir, 'out.jsonl'), 'utf8')).toBe(written); // complete: nothing more to scan
  }, 180_000); // six CLI runs on a loaded machine

  it('a checkpoint written before plans were stored resumes with a warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wildtls-resume-old-'));
    const args = ['scan', '127.0.64.30', '-p', 'smtp', '--port', '1', '-o', 'out.jsonl', '--checkpoint', 'scan.ckpt', ...quiet];
    expect((await runCli(args, { cwd: dir })).code).toBe(0);
    const ckpt = JSON.parse(readFileSync(join(dir, 'scan.ckpt'), 'utf8')) as Record<string, unknown>;
    delete ckpt.plan;
    writeFileSync(join(dir, 'scan.ckpt'), JSON.stringify(ckpt));
    const r = await runCli([...args, '--resume'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('the checkpoint predates stored scan plans: services, ports and TLS settings cannot be checked');
  }, 120_000);
});
