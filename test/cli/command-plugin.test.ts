import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from './run-cli.js';

describe('a package can add commands to wildtls', () => {
  it('loads the commands of a project dependency that declares an oclif section', async () => {
    const project = mkdtempSync(join(tmpdir(), 'wildtls-cmd-'));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-scans', private: true, dependencies: { 'wildtls-hello-commands': '1.0.0' } }));
    mkdirSync(join(project, 'node_modules/@oclif'), { recursive: true });
    cpSync(resolve(ROOT, 'test/fixtures/command-plugin'), join(project, 'node_modules/wildtls-hello-commands'), { recursive: true });
    symlinkSync(resolve(ROOT, 'node_modules/@oclif/core'), join(project, 'node_modules/@oclif/core'));
    const help = await runCli(['--help'], { cwd: project });
    expect(help.stdout).toMatch(/^ {2}hello\s+Say hello/m);
    const r = await runCli(['hello'], { cwd: project });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('hello from wildtls-hello-commands');
    // Elsewhere the command does not exist.
    const other = await runCli(['hello'], { cwd: tmpdir() });
    expect(other.code).not.toBe(0);
  });
});
