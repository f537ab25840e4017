import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { nodeVersionWarning, parseMinimum, satisfiesMinimum } from './node-version.js';

// semver (what oclif's own check used) is the truth for the comparison.
const CLI_DIR = join(import.meta.dirname, '..');
const engines = (JSON.parse(readFileSync(join(CLI_DIR, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;

describe('the CLI\'s Node version check', () => {
  it('reads the CLI package.json\'s engines (the form it understands)', () => {
    expect(parseMinimum(engines)).toBeDefined();
  });

  it('agrees with semver on versions around the minimum', () => {
    const versions = ['18.19.0', '20.0.0', '20.11.1', '20.12.0', '20.12.2', '20.20.2', '21.0.0', '22.1.0', '24.3.1', '9.99.99', '100.0.0'];
    for (const range of [engines, '>=20', '>=20.12', '>=20.12.1', '>= 22.1.0']) {
      const min = parseMinimum(range);
      expect(min, range).toBeDefined();
      for (const v of versions) expect(satisfiesMinimum(v, min!), `${v} ${range}`).toBe(semver.satisfies(v, range));
    }
  });

  it('gives no minimum for ranges it does not read', () => {
    for (const range of ['^20.12.0', '>=20 <23', '20.x', '>=20.12 || >=22']) expect(parseMinimum(range), range).toBeUndefined();
  });

  it('warns for an older Node, and only then', () => {
    expect(nodeVersionWarning(CLI_DIR, process.versions.node)).toBeUndefined();
    expect(nodeVersionWarning(CLI_DIR, '18.20.0')).toBe(`Node version must be ${engines} to use this CLI. Current node version: 18.20.0`);
    const dir = mkdtempSync(join(tmpdir(), 'wildtls-node-version-'));
    try {
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ engines: { node: '>=99' } }));
      expect(nodeVersionWarning(dir)).toMatch(/^Node version must be >=99 to use this CLI/);
      expect(nodeVersionWarning(join(dir, 'missing'))).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
