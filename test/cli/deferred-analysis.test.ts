import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

/*
 * A local scan does not import the analysis plugins it will not run when
 * their package.json declares a manifest ("wildtlsPlugin"; loadRun's
 * deferAnalyses). The truth is the plugin module itself: it appends to a
 * file when it is imported. Targets are 127.0.81.1, port 1 (closed: the scan
 * is start-up, config and one refused connection).
 */

let dir: string;
let marker: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wildtls-deferred-'));
  marker = join(dir, 'imported.txt');
  const plugin = join(dir, 'lazy-analysis');
  mkdirSync(plugin);
  writeFileSync(join(plugin, 'package.json'), JSON.stringify({ name: 'lazy-analysis', version: '1.0.0', type: 'module', main: 'index.js', wildtlsPlugin: { id: 'lazy', kind: 'analysis' } }));
  writeFileSync(join(plugin, 'index.js'), [
    "import { appendFileSync } from 'node:fs';",
    `appendFileSync(${JSON.stringify(marker)}, 'imported\\n');`,
    'let records = 0;',
    "export default { kind: 'analysis', id: 'lazy', version: '1.0.0', api: '^1.0.0', description: 'counts records',",
    '  create: () => ({ consume() { records++; }, finish: () => ({ analysis: { id: \'lazy\', version: \'1.0.0\' }, countingRule: \'per-record\', totals: { records, servers: records }, tables: [] }) }) };',
    '',
  ].join('\n'));
  writeFileSync(join(dir, 'wildtls.config.yaml'), ['plugins:', "  - '@wildtls/protocol-tls'", '  - ./lazy-analysis', 'scan:', '  allow: [127.0.81.0/24]', ''].join('\n'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => rmSync(marker, { force: true }));

const scan = (...more: string[]) => runCli(['scan', '127.0.81.1', '-p', 'tls', '--port', '1', '-o', join(dir, 'out.jsonl'), '-q', ...more], { cwd: dir });
const imported = () => existsSync(marker);

describe('analysis plugins a scan does not run', () => {
  it('are not imported by a scan that runs no analysis', async () => {
    const r = await scan();
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'out.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);
    expect(imported()).toBe(false);
  });

  it('are imported and run when the scan names one (--analysis)', async () => {
    const r = await scan('-a', 'lazy', '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    expect(imported()).toBe(true);
    expect(r.stderr).toContain('"id": "lazy"');
  });

  it('are imported, and validate their section, when the config has one', async () => {
    const r = await scan('--set', 'options.lazy.x=1');
    expect(r.code).not.toBe(0);
    expect(imported()).toBe(true);
    expect(r.stderr).toMatch(/options\.lazy\.x .*unknown key "x"/);
  });

  it('are listed by `wildtls plugins`, which loads every plugin', async () => {
    const r = await runCli(['plugins'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('lazy');
    expect(imported()).toBe(true);
  });
});
