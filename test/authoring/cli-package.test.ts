import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../harness/daemon.js';
import { ROOT } from '../cli/run-cli.js';
import { listFiles, ok, run } from './plugin-workspace.js';

/*
 * The templates ship inside @wildtls/cli: `npm pack` (what npm and lerna
 * publish) runs the prepack copy; the packed CLI finds them in its own
 * templates/ folder, the same bytes as the repository's templates/.
 */

let work: string;
let unpacked: string;

beforeAll(async () => {
  work = tempDir('authoring-pack');
  const r = ok(await run('npm', ['pack', '--json', '--pack-destination', work, '-w', '@wildtls/cli'], { cwd: ROOT, timeoutMs: 60_000 }), 'npm pack');
  const [info] = JSON.parse(r.stdout.slice(r.stdout.indexOf('['))) as Array<{ filename: string }>;
  ok(await run('tar', ['-xzf', join(work, info!.filename.replace(/^@/, '').replace('/', '-')), '-C', work], { cwd: work }), 'tar');
  unpacked = join(work, 'package');
});

afterAll(() => {
  if (work) removeDir(work);
});

describe('the @wildtls/cli package', () => {
  it('contains both templates, byte for byte, with _gitignore kept', () => {
    for (const kind of ['protocol-plugin', 'analysis-plugin']) {
      const repo = resolve(ROOT, 'templates', kind);
      const packed = join(unpacked, 'templates', kind);
      expect(listFiles(packed)).toEqual(listFiles(repo));
      expect(listFiles(packed)).toContain('_gitignore');
      for (const f of listFiles(repo)) expect(readFileSync(join(packed, f), 'utf8')).toBe(readFileSync(join(repo, f), 'utf8'));
    }
  });

  it('resolves the templates from its own folder when installed', async () => {
    const { templateDir } = (await import(resolve(ROOT, 'packages/cli/dist/scaffold/template-dir.js'))) as typeof import('../../packages/cli/src/scaffold/template-dir.js');
    expect(templateDir('protocol', unpacked)).toBe(join(unpacked, 'templates/protocol-plugin'));
    expect(templateDir('analysis', unpacked)).toBe(join(unpacked, 'templates/analysis-plugin'));
  });

  it('leaves no copy behind in the checkout (postpack)', () => {
    expect(existsSync(resolve(ROOT, 'packages/cli/templates'))).toBe(false);
  });
});
