import { readdirSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { renderCliDoc } from '../../scripts/cli-docs.mjs';
import { ROOT } from '../cli/run-cli.js';

const doc = () => readFileSync(resolve(ROOT, 'docs/cli.md'), 'utf8');

/** The text of one command's section of docs/cli.md (up to the next heading of its level or above). */
function section(text: string, command: string): string {
  const start = text.indexOf(`### \`wildtls ${command}\`\n`);
  expect(start, `docs/cli.md has no section for wildtls ${command}`).toBeGreaterThanOrEqual(0);
  const next = text.slice(start + 4).search(/\n#{1,3} /);
  return next < 0 ? text.slice(start) : text.slice(start, start + 4 + next);
}

/** Command ids from the files under packages/cli/src/commands (oclif's layout: topic/name.ts, topic/index.ts). */
function commandIds(dir = resolve(ROOT, 'packages/cli/src/commands')): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => relative(dir, resolve(e.parentPath, e.name)).replace(/\.ts$/, '').replace(/\/index$/, '').split('/').join(' '));
}

describe('docs/cli.md', () => {
  it('its command reference is what the generator writes from the commands (run `npx tsc -b && npm run docs`)', async () => {
    expect(doc()).toBe(await renderCliDoc(doc()));
  });

  it('has a section for every command file', () => {
    const ids = commandIds();
    expect(ids).toEqual(expect.arrayContaining(['scan', 'targets', 'analyze', 'plugins', 'plugins add', 'help']));
    for (const id of ids) section(doc(), id);
  });

  it('documents the flags issue 20 found missing, in their commands, and exit code 130', () => {
    const text = doc();
    const scan = section(text, 'scan');
    for (const flag of ['--engine <value>', '--profile <value>', '--fallback <value>', '--[no-]observe-only', '--[no-]sni', '--[no-]gzip', '--report <value>', '--format <value>', '-q, --quiet']) {
      expect(scan).toContain(`| \`${flag}\` |`);
    }
    const targets = section(text, 'targets');
    for (const flag of ['--count', '--json']) expect(targets).toContain(`| \`${flag}\` |`);
    const globals = text.slice(text.indexOf('## Global flags'), text.indexOf('### `wildtls'));
    for (const flag of ['-c, --config <value>', '--log-level <value>', '--log-format <value>']) expect(globals).toContain(`| \`${flag}\` |`);
    expect(text).toMatch(/^\| 130 \| the scan was stopped by SIGINT or SIGTERM/m);
  });
});
