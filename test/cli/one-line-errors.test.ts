import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const dir = () => mkdtempSync(join(tmpdir(), 'wildtls-errors-'));

describe('errors are one line, prefixed wildtls:, naming the flag or file, without a stack trace', () => {
  it('unknown flag, missing flag value, bad option value, missing argument: exit 2', async () => {
    const cases: Array<[string[], string]> = [
      [['scan', '--bogus'], 'wildtls: unknown flag: --bogus (see wildtls scan --help)\n'],
      [['scan', '-p'], 'wildtls: Flag --protocol expects a value (see wildtls scan --help)\n'],
      [['scan', '127.0.0.1', '--engine', 'foo'], 'wildtls: Expected --engine=foo to be one of: raw, node (see wildtls scan --help)\n'],
      [['analyze'], 'wildtls: Missing 1 required arg: results Result files (JSONL, optionally gzipped; "-" = stdin). (see wildtls analyze --help)\n'],
    ];
    for (const [args, line] of cases) {
      const r = await runCli(args, { cwd: dir() });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toBe(line);
    }
  }, 120_000); // four CLI starts on a loaded machine

  it('analyze -o into a missing folder fails before reading anything, naming the flag', async () => {
    const d = dir();
    writeFileSync(join(d, 'r.jsonl'), '');
    const r = await runCli(['analyze', 'r.jsonl', '-o', '/nonexistent/x'], { cwd: d });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('wildtls: --output /nonexistent/x: cannot write it, its folder /nonexistent does not exist [WILDTLS_ERR_USAGE]\n');
  });

  it('init --path scans/lab.yaml (its help example) creates the folder and says so', async () => {
    const d = dir();
    const r = await runCli(['init', '--path', 'scans/lab.yaml'], { cwd: d });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`created ${join(d, 'scans')}\nwrote ${join(d, 'scans/lab.yaml')}\n`);
    expect(existsSync(join(d, 'scans/lab.yaml'))).toBe(true);
  });

  it('an invalid --set value blames the --set flag, not the config file line that sets the same key', async () => {
    const d = dir();
    writeFileSync(join(d, 'wildtls.config.yaml'), 'scan:\n  protocols: [smtp]\n  maxBytes: 65536\n  concurrency: lots\n');
    const r = await runCli(['scan', '127.0.64.1', '--set', 'scan.maxBytes=lots', '--allow', '127.0.0.0/8'], { cwd: d });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('  - scan.maxBytes (--set scan.maxBytes=lots): expected integer');
    expect(r.stderr).toContain('  - scan.concurrency (line 4): expected integer'); // the file's own error keeps its line
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
