#!/usr/bin/env node
// Ship the plugin templates inside the @wildtls/cli package: `npm pack` and
// `npm publish` (and lerna publish) run this as prepack, copying the
// repository's templates/ to packages/cli/templates/, which "files" lists;
// postpack (--clean) removes the copy, so the checkout keeps one source of truth.
import { cpSync, existsSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const cliDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const target = resolve(cliDir, 'templates');
rmSync(target, { recursive: true, force: true });
if (process.argv.includes('--clean')) process.exit(0);
const source = resolve(cliDir, '../../templates');
if (!existsSync(source)) throw new Error(`templates not found at ${source}`);
cpSync(source, target, { recursive: true, filter: (src) => !/[\\/](node_modules|dist)$/.test(src) });
