import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../harness/daemon.js';
import { BIN, ROOT } from '../cli/run-cli.js';
import { run } from './plugin-workspace.js';

/*
 * "Following the authoring guide word for word works": every ```sh title="run"
 * block of docs/plugin-authoring.md, in order, in one shell, in a fresh folder,
 * as a new user would type them. `wildtls` is on PATH (a shim for this
 * checkout's CLI, as the guide's "from a clone" set-up gives); `npm install`
 * is the real one: @wildtls/core is linked from the checkout by the scaffold,
 * the rest comes from the npm cache or registry (prefer-offline).
 */

const GUIDE = resolve(ROOT, 'docs/plugin-authoring.md');

export function runBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```sh title="run"\n([\s\S]*?)^```$/gm)].map((m) => m[1]!.trimEnd());
}

let work: string;

beforeAll(() => {
  work = tempDir('authoring-guide');
  const bin = join(work, '.bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'wildtls'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(bin, 'wildtls'), 0o755);
});

afterAll(() => {
  if (work) removeDir(work);
});

describe('the plugin authoring guide', () => {
  it('has runnable blocks for scaffolding, using and publishing both kinds', () => {
    const blocks = runBlocks(readFileSync(GUIDE, 'utf8'));
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    const all = blocks.join('\n');
    for (const step of ['wildtls plugins new protocol', 'wildtls plugins new analysis', 'npm install', 'npm test', 'wildtls plugins add', 'wildtls analyze']) {
      expect(all).toContain(step);
    }
  });

  it('works word for word', async () => {
    const blocks = runBlocks(readFileSync(GUIDE, 'utf8'));
    const folder = join(work, 'user');
    mkdirSync(folder);
    // -x: the transcript shows which command failed.
    const script = ['set -eux', ...blocks].join('\n') + '\n';
    const r = await run('bash', ['-c', script], {
      cwd: folder,
      timeoutMs: 300_000,
      env: {
        PATH: `${join(work, '.bin')}:${process.env.PATH}`,
        HOME: process.env.HOME,
        npm_config_prefer_offline: 'true',
        npm_config_audit: 'false',
        npm_config_fund: 'false',
        npm_config_update_notifier: 'false',
      },
    });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    // What the guide says the user sees.
    expect(r.stdout).toContain('created wildtls-protocol-hello');
    expect(r.stdout).toMatch(/Tests\s+4 passed/);
    expect(r.stdout).toMatch(/hello\s+protocol\s+0\.1\.0\s+\^1\.0\.0\s+path/);
    expect(r.stdout).toMatch(/Tests\s+3 passed/);
    expect(r.stdout).toContain('## tls-share');
    expect(r.stdout).toMatch(/\| smtp\s*\| 2\s*\| 1\s*\|/);
    const config = readFileSync(join(folder, 'wildtls.config.yaml'), 'utf8');
    expect(config).toContain('# wildtls configuration.');
    expect(config).toContain('  - ./wildtls-protocol-hello\n  - ./wildtls-analysis-tls-share\n');
  }, 320_000);
});
