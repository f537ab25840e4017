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
