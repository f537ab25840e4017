// Lint for the whole monorepo: `npm run lint`, also the first step of `npm test`.
// Bug-finding rules only; formatting is not checked. The type-aware rules read
// one program (tsconfig.eslint.json), so the packages must be built first.
import comments from '@eslint-community/eslint-plugin-eslint-comments';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      // esbuild's output from dist/ (packages/core/scripts/bundle.mjs).
      'packages/*/bundle/**',
      'plugins/*/bundle/**',
      '**/coverage/**',
      // What runs leave behind (see .gitignore) and the templates' copy `npm pack` makes.
      'tmp/**',
      '.wildtls-*/**',
      'packages/cli/templates/**',
      // Wrong on purpose: test/lint/lint-config.test.ts lints it with its own config and counts what is found.
      'test/fixtures/lint/**',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
      parserOptions: {
        project: './tsconfig.eslint.json',
        tsconfigRootDir: dirname(fileURLToPath(import.meta.url)),
      },
    },
    plugins: { '@eslint-community/eslint-comments': comments },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A disable names its rule and says why after `--`; an unused one is an error (above).
      '@eslint-community/eslint-comments/no-unlimited-disable': 'error',
      '@eslint-community/eslint-comments/require-description': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-self-compare': 'error',
      'no-template-curly-in-string': 'error',
      'no-unmodified-loop-condition': 'error',
      'no-unreachable-loop': 'error',
      'array-callback-return': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      // A try/catch around `return promise` catches nothing unless it awaits.
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      // A switch over a closed union (statuses, reasons, kinds) that forgets a member.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // The code joins values that are sometimes already there and sometimes promises
      // (a cached verdict or a pending one, a sink without flush); Promise.all is how.
      '@typescript-eslint/await-thenable': ['error', { allowMixedPromiseArrays: true }],
      // Reject with an Error, but passing on a caught value as it came is fine (as only-throw-error allows).
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
      // An async function without await still turns a throw into a rejection, which the
      // interfaces that return a Promise (dialogs, sinks, target sources) rely on.
      '@typescript-eslint/require-await': 'off',
      // `xs[i]!` marks an index the code knows is in range; without
      // noUncheckedIndexedAccess the rule calls each one unnecessary (hundreds), a style question.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
  {
    // JavaScript has no types to be unsafe about: every import is `any` to these rules.
    files: ['**/*.{js,mjs,cjs}'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Tests read JSON the CLI printed and use vitest's asymmetric matchers (expect.stringMatching), both
    // typed `any`; the assertion that follows is the check. Shipped code keeps these rules.
    files: ['**/*.test.ts', 'test/**', 'packages/*/test/**', 'plugins/*/test/**', 'templates/*/test/**', 'docs/examples/*/test/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Typed by their own .d.mts files, so the program holds the declaration, not this file.
    files: ['test/real-servers/dovecot/dovecot-config.mjs', 'test/synthetic/{certificates,fixture-library,generate,population}.mjs', 'packages/core/scripts/bundle.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // The kernel never imports a plugin (nor the CLI): plugins depend on core, not the reverse.
    files: ['packages/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^@wildtls/(?!core(/|$))', message: 'core never imports a plugin or the CLI' }] }],
    },
  },
);
