import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../harness/daemon.js';
import { ROOT, runCli } from './run-cli.js';

/* `wildtls plugins remove` (issue 20, item 5) through the built binary, on real config files. */

const HELLO = resolve(ROOT, 'test/fixtures/third-party-plugin'); // a protocol plugin with the id "hello"
let work: string;
let config: string;
const lines = (...l: string[]) => [...l, ''].join('\n');
const header = ['# lab config: keep this comment', 'plugins:', '  # ours first'];
const tail = ['scan:', '  rate: 10 # gentle'];

beforeAll(() => {
  work = tempDir('cli-plugins-remove');
  config = join(work, 'wildtls.config.yaml');
});

afterAll(() => {
  if (work) removeDir(work);
});

describe('wildtls plugins remove', () => {
  it('removes an entry, keeps every comment, and says what remains', async () => {
    writeFileSync(config, lines(...header, `  - ${HELLO} # the hello fixture`, '  - "@wildtls/protocol-pop3" # mail', '  - "@wildtls/analysis-sasl"', ...tail));
    const r = await runCli(['plugins', 'remove', '@wildtls/protocol-pop3'], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(config, 'utf8')).toBe(lines(...header, `  - ${HELLO} # the hello fixture`, '  - "@wildtls/analysis-sasl"', ...tail));
    expect(r.stdout).toBe(`removed @wildtls/protocol-pop3 from ${config}\nplugins left: ${HELLO} (protocol "hello"), @wildtls/analysis-sasl (analysis "sasl")\n`);
  });

  it('finds the entry by plugin id', async () => {
    const r = await runCli(['plugins', 'remove', 'sasl'], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`removed @wildtls/analysis-sasl from ${config}`);
    expect(readFileSync(config, 'utf8')).toBe(lines(...header, `  - ${HELLO} # the hello fixture`, ...tail));
  });

  it('refuses to leave no protocol plugin, naming what would remain; --force does it and says so', async () => {
    const before = lines(...header, `  - ${HELLO} # the hello fixture`, '  - "@wildtls/analysis-sasl"', ...tail);
    writeFileSync(config, before);
    const r = await runCli(['plugins', 'remove', HELLO], { cwd: work });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `wildtls: removing ${HELLO} would leave no protocol plugin in ${config} (remaining: @wildtls/analysis-sasl (analysis "sasl")), so a scan would have nothing to probe; add one first, or --force [WILDTLS_ERR_USAGE]\n`,
    );
    expect(readFileSync(config, 'utf8')).toBe(before);
    const forced = await runCli(['plugins', 'remove', 'hello', '--force'], { cwd: work });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('no protocol plugin is left: scans probe nothing until one is added');
    expect(readFileSync(config, 'utf8')).toBe(lines(...header, '  - "@wildtls/analysis-sasl"', ...tail));
  });

  it('names the list when the plugin is not in it, and leaves the file alone', async () => {
    const before = readFileSync(config, 'utf8');
    const r = await runCli(['plugins', 'remove', 'wildtls-protocol-nope'], { cwd: work });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('wildtls: "wildtls-protocol-nope" is not in the plugins list in force for this config (@wildtls/analysis-sasl), as an entry, a path or a plugin id [WILDTLS_ERR_USAGE]\n');
    expect(readFileSync(config, 'utf8')).toBe(before);
  });

  it('without a list, removing a built-in writes the list of the others, comments kept', async () => {
    writeFileSync(config, lines('# no list here', ...tail));
    const r = await runCli(['plugins', 'remove', '@wildtls/protocol-https'], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(config, 'utf8');
    expect(text).toContain('# no list here');
    expect(text).toContain('  rate: 10 # gentle');
    const list = await runCli(['plugins', '--json'], { cwd: work });
    const ids = (JSON.parse(list.stdout) as { plugins: Array<{ id: string }> }).plugins.map((p) => p.id);
    expect(ids).toHaveLength(12); // the 13 built-ins but https
    expect(ids).not.toContain('https');
    expect(ids).toContain('smtp');
  });
});
