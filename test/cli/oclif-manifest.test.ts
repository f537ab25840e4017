import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../harness/daemon.js';
import { ROOT, runCli, type CliResult } from './run-cli.js';

/*
 * The oclif manifest (packages/cli/src/oclif-manifest.ts) makes every command
 * start without importing the others; it must never hide a command. The
 * truth here is the command files on disk, named the way oclif names them
 * (dist/commands/plugins/add.js is `plugins add`, an index.js is its folder).
 */

const CLI = join(ROOT, 'packages/cli');

/** Command ids from the .js files under a commands folder. */
function idsOnDisk(dir: string): string[] {
  const ids: string[] = [];
  const walk = (sub: string) => {
    for (const e of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${e.name}` : e.name;
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.js')) ids.push(rel.replace(/\.js$/, '').replace(/\/index$/, '').split('/').join(':'));
    }
  };
  walk('');
  return ids.sort();
}

const manifestIds = (cliDir: string) => Object.keys((JSON.parse(readFileSync(join(cliDir, 'oclif.manifest.json'), 'utf8')) as { commands: object }).commands).sort();

/** Run a node script (a copy of the CLI, the manifest writer) in `cwd`, as run-cli runs the checkout's. */
const runNode = ([script, ...args]: string[], cwd: string): Promise<CliResult> => runCli(args, { cwd, script });

describe('the checkout CLI', () => {
  it('has a manifest listing exactly the commands on disk, current for the build (the published CLI ships it)', async () => {
    // Any start of the CLI brings the manifest up to date; --if-stale does the same without running a command.
    const r = await runNode([join(CLI, 'scripts/write-manifest.mjs'), '--if-stale'], ROOT);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(manifestIds(CLI)).toEqual(idsOnDisk(join(CLI, 'dist/commands')));
    expect(JSON.parse(readFileSync(join(CLI, 'package.json'), 'utf8')).files).toContain('oclif.manifest.json');
  });

  it('`wildtls --help` lists every command and topic on disk', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    const top = [...new Set(idsOnDisk(join(CLI, 'dist/commands')).map((id) => id.split(':')[0]!))];
    expect(top.length).toBeGreaterThan(5);
    for (const name of top) expect(r.stdout, name).toMatch(new RegExp(`^  ${name}\\s`, 'm'));
  });
});

describe('a command added after the manifest was written (a developer who runs only tsc -b)', () => {
  let dir: string;
  const bin = () => join(dir, 'bin/run.js');

  beforeAll(() => {
    // A copy of the built CLI package that may be changed without touching the checkout's.
    dir = join(tempDir('manifest'), 'cli');
    mkdirSync(dir);
    for (const part of ['bin', 'dist', 'package.json', 'oclif.manifest.json']) cpSync(join(CLI, part), join(dir, part), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  });

  afterAll(() => {
    if (dir) removeDir(join(dir, '..'));
  });

  it('is listed, runs, and enters the manifest; once removed, it leaves both', async () => {
    const before = manifestIds(dir);
    expect(before).not.toContain('zz-hello');
    mkdirSync(join(dir, 'dist/commands/zz'), { recursive: true });
    writeFileSync(
      join(dir, 'dist/commands/zz/hello.js'),
      "import { Command } from '@oclif/core';\nexport default class Hello extends Command {\n  static description = 'A command the manifest has not seen.';\n  async run() { await this.parse(Hello); this.log('hello from a new command'); }\n}\n",
    );
    const ran = await runNode([bin(), 'zz', 'hello'], dir);
    expect(ran.stderr).toBe('');
    expect(ran.stdout).toBe('hello from a new command\n');
    expect(manifestIds(dir)).toEqual([...before, 'zz:hello'].sort());
    const help = await runNode([bin(), 'zz', '--help'], dir);
    expect(help.stdout).toContain('A command the manifest has not seen.');

    rmSync(join(dir, 'dist/commands/zz'), { recursive: true });
    const listed = await runNode([bin(), '--help'], dir);
    expect(listed.code).toBe(0);
    expect(listed.stdout).not.toContain('zz');
    expect(manifestIds(dir)).toEqual(before);
    expect(manifestIds(dir)).toEqual(idsOnDisk(join(dir, 'dist/commands')));
  }, 120_000);

  it('a flag changed in a shared module (not a command file) shows in the help of the commands using it', async () => {
    const flags = join(dir, 'dist/flags.js');
    const source = readFileSync(flags, 'utf8');
    expect(source).toContain('Service to probe (repeatable)');
    writeFileSync(flags, source.replace('Service to probe (repeatable)', 'Changed after the manifest: service to probe'));
    const help = await runNode([bin(), 'targets', '--help'], dir);
    expect(help.code).toBe(0);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('Changed after the manifest: service to probe');
  }, 60_000);
});
