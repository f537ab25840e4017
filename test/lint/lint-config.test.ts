import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../cli/run-cli.js';

/**
 * The lint config (eslint.config.mjs) against test/fixtures/lint, whose files
 * say in comments which lines must be reported and by which rule: `lint: <rules>`
 * for the line itself, `lint-next: <rules>` for the line after. Every other
 * line (the allowed patterns: `== null`, an `_` argument, Promise.all over a
 * mix, a rejection passed on, a described disable...) must stay clean.
 */
const FIXTURE = resolve(ROOT, 'test/fixtures/lint');
const FILES = ['bugs.ts', 'packages/core/src/imports-plugin.ts'];

function declared(): string[] {
  const out: string[] = [];
  for (const file of FILES) {
    readFileSync(resolve(FIXTURE, file), 'utf8')
      .split('\n')
      .forEach((text, i) => {
        const m = /\blint(-next)?: ([\w@/, -]+)/.exec(text);
        if (!m) return;
        const line = i + 1 + (m[1] ? 1 : 0);
        for (const rule of m[2]!.split(',').map((r) => r.trim()).filter(Boolean)) out.push(`${file}:${line} ${rule}`);
      });
  }
  return out.sort();
}

describe('the lint config', () => {
  it('reports exactly the lines the fixture marks, with the marked rules', async () => {
    const eslint = new ESLint({ cwd: FIXTURE });
    const results = await eslint.lintFiles(FILES);
    const found = results
      .flatMap((r) => r.messages.map((m) => `${relative(FIXTURE, r.filePath)}:${m.line} ${m.ruleId ?? (m.fatal ? `fatal ${m.message}` : 'unused-directive')}`))
      .sort();
    expect(found).toEqual(declared());
  }, 60_000);

  it('the fixture exercises each rule the project relies on', () => {
    const rules = new Set(declared().map((d) => d.split(' ')[1]));
    for (const rule of [
      '@typescript-eslint/no-floating-promises',
      '@typescript-eslint/no-misused-promises',
      '@typescript-eslint/return-await',
      '@typescript-eslint/switch-exhaustiveness-check',
      '@typescript-eslint/await-thenable',
      '@typescript-eslint/no-unused-vars',
      'eqeqeq',
      'no-restricted-imports',
      '@eslint-community/eslint-comments/require-description',
      '@eslint-community/eslint-comments/no-unlimited-disable',
      'unused-directive',
    ]) {
      expect(rules, rule).toContain(rule);
    }
  });
});
