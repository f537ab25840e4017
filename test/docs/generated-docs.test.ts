import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { renderConfigReference, renderRecordSchema } from '../../scripts/docs-render.mjs';
import { ROOT } from '../cli/run-cli.js';

const read = (p: string) => readFileSync(resolve(ROOT, p), 'utf8');

describe('docs stay true to the code', () => {
  it('docs/record.schema.json is the schema the code exports (run `npm run docs` after changing records)', async () => {
    expect(read('docs/record.schema.json')).toBe(await renderRecordSchema());
  });

  it('docs/config-reference.md is generated from the current config schemas (run `npm run docs`)', async () => {
    expect(read('docs/config-reference.md')).toBe(await renderConfigReference());
  });

  it('docs/wildtls.config.example.yaml is the config `wildtls init` writes', () => {
    expect(read('docs/wildtls.config.example.yaml')).toBe(read('packages/cli/assets/starter-config.yaml'));
  });
});
