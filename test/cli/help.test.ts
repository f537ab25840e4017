import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('wildtls --help', () => {
  it('lists the commands', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['scan', 'analyze', 'show', 'plugins', 'init', 'demo']) expect(r.stdout).toMatch(new RegExp(`^  ${cmd}\\s`, 'm'));
  });

  it('each command has examples in its help', async () => {
    // Two at a time: each start of the CLI costs seconds of CPU on a busy machine.
    const cmds = ['scan', 'analyze', 'show', 'plugins', 'init', 'demo'];
    for (let i = 0; i < cmds.length; i += 2) {
      for (const r of await Promise.all(cmds.slice(i, i + 2).map((cmd) => runCli([cmd, '--help'])))) {
        expect(r.code).toBe(0);
        expect(r.stdout).toContain('EXAMPLES');
      }
    }
  }, 90_000);
});

describe('wildtls help COMMAND and -h (issue 20, item 5)', () => {
  it('`help scan`, `scan -h` and `scan --help` print the same help, exit 0', async () => {
    const [viaHelp, viaShort, viaLong] = await Promise.all([runCli(['help', 'scan']), runCli(['scan', '-h']), runCli(['scan', '--help'])]);
    for (const r of [viaHelp, viaShort, viaLong]) {
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
    }
    expect(viaLong.stdout).toContain('USAGE\n  $ wildtls scan');
    expect(viaHelp.stdout).toBe(viaLong.stdout);
    expect(viaShort.stdout).toBe(viaLong.stdout);
  });

  it('`help plugins add` and `plugins add -h` reach a command under a topic', async () => {
    const [viaHelp, viaShort] = await Promise.all([runCli(['help', 'plugins', 'add']), runCli(['plugins', 'add', '-h'])]);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toContain('$ wildtls plugins add PLUGIN');
    expect(viaShort.stdout).toBe(viaHelp.stdout);
  });

  it('`help` of a command that does not exist exits 2 and lists the commands', async () => {
    const r = await runCli(['help', 'scna']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^wildtls: no command "scna"; the commands: analyze, .*\bscan\b/);
  });
});
