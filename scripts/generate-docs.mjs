#!/usr/bin/env node
// Regenerates the docs that are derived from code, so docs/ stays true to it:
//   docs/record.schema.json   from @wildtls/core's ProbeRecordSchema
//   docs/config-reference.md  from core's config schema and each built-in plugin's section
//   docs/cli.md               its command reference, from the oclif command classes (the rest is hand-written)
// Run after `npm run build`: `npm run docs`. A test fails when the committed files are stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { renderRecordSchema, renderConfigReference } from './docs-render.mjs';
import { renderCliDoc } from './cli-docs.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
writeFileSync(resolve(root, 'docs/record.schema.json'), await renderRecordSchema());
writeFileSync(resolve(root, 'docs/config-reference.md'), await renderConfigReference());
const cliDoc = resolve(root, 'docs/cli.md');
writeFileSync(cliDoc, await renderCliDoc(readFileSync(cliDoc, 'utf8')));
console.log('wrote docs/record.schema.json, docs/config-reference.md and the command reference in docs/cli.md');
