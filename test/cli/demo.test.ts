import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('wildtls demo (the README\'s first command)', () => {
  it('starts its servers on 127.0.0.1, scans them through the pipeline and prints what it found', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'wildtls-demo-')), 'demo.jsonl');
    const r = await runCli(['demo', '--output', out], { cwd: tmpdir() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/smtp 127\.0\.0\.1:\d+ \(starttls\) → success/);
    expect(r.stdout).toMatch(/STARTTLS: +offered yes, accepted \(upgraded\) yes/);
    expect(r.stdout).toMatch(/imaps 127\.0\.0\.1:\d+ \(implicit\) → success/);
    expect(r.stdout).toMatch(/HTTP: +200, Server "wildtls-demo", HSTS "max-age=31536000; includeSubDomains"/);
    expect(r.stdout).toContain('== ca-practice');
    const records = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(records.map((x) => x.service).sort()).toEqual(['https', 'imaps', 'smtp']);
    // Only loopback was touched, and the raw engine did the handshakes.
    expect(records.every((x) => x.ip === '127.0.0.1' && x.tls?.completed && x.tls.serverExtensions)).toBe(true);
  });
});
