import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('wildtls --help', () => {
  it('lists the commands', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['scan', 'analyze', 'show', 'plugins', 'init', 'demo']) expect(r.stdout).toMatch(new RegExp(`^  ${cmd}\\s`, 'm'));
  });

  it('each command has examples in its help', async () => {
    for (const cmd of ['scan', 'analyze', 'show', 'plugins', 'init', 'demo']) {
      const r = await runCli([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('EXAMPLES');
    }
  });
});
