import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from './run-cli.js';

/**
 * `wildtls analyze` for people, on recorded results (the fixture library of
 * real scans, test/synthetic/fixture): the terminal table fits the width it
 * is given and leaves out empty rows and tables unless --all; --format csv
 * --output DIR writes one file per table that a CSV parser reads back with
 * the numbers of --format json; --format json is byte for byte what it was
 * before this change (test/cli/golden/analyze-fixture.json, written by the
 * previous analyze on the same records; regenerate with
 * `node packages/cli/bin/run.js analyze test/synthetic/fixture/records.jsonl --format json > test/cli/golden/analyze-fixture.json`
 * only when an analysis's own output changes).
 */
const RESULTS = join(ROOT, 'test/synthetic/fixture/records.jsonl');

type Cell = string | number | boolean | null | string[];
interface Table { id: string; title: string; columns: Array<{ key: string; type: string }>; rows: Array<Record<string, Cell>> }
interface Report { analysis: { id: string }; tables: Table[] }

let dir = '';
let json = '';
let reports: Report[] = [];

const analyze = async (args: string[], env?: Record<string, string>) => {
  const r = await runCli(['analyze', RESULTS, ...args], { cwd: dir, env, timeoutMs: 120_000 });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wildtls-people-'));
  json = await analyze(['--format', 'json']);
  reports = Object.values(JSON.parse(json) as Record<string, Report>);
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('wildtls analyze for people', () => {
  it('json: byte for byte the output of analyze before the terminal and CSV changes', () => {
    // One note names the Node version whose bundled root store was used (and its size): the same on every Node.
    const node = (s: string) => s.replace(/Node v[0-9.]+ bundled Mozilla root store \(\d+ certificates\)/g, 'Node (version) bundled Mozilla root store (n certificates)');
    expect(node(json)).toBe(node(readFileSync(join(ROOT, 'test/cli/golden/analyze-fixture.json'), 'utf8')));
  });

  it('table at 80 columns: a headline first, every line fits, empty rows and tables left out and counted', async () => {
    const out = await analyze(['--format', 'table'], { COLUMNS: '80' });
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^wildtls analyze: 50 records, 47 servers/);
    expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(80);
    // The headline is the analyses' declared items (Report.headline); at 80 columns its counts do not fit side
    // by side, so each service is a block (counts are never cut). smtp in the fixture: 13 servers probed
    // (one on port 2525), 5 reached TLS, 6 of the 12 with the port open accepted STARTTLS (one then failed the handshake).
    expect(out).toMatch(/^Service +: smtp\nServers probed +: 13\nTLS reached +: 5 of 13 \(38\.5%\)\nValid chain \(openssl profile\): 0 of 5 \(0\.0%\)\nSTARTTLS supported & upgraded: 6 of 12 \(50\.0%\)$/m);
    const wide = await analyze(['--format', 'table'], { COLUMNS: '160' });
    expect(wide).toMatch(/^smtp +13 +5 of 13 \(38\.5%\) +0 of 5 \(0\.0%\) +6 of 12 \(50\.0%\)$/m);
    // The imap port whose server never sent a chain is an empty row of Fig. 4 (0 servers with a chain).
    const fig4 = out.slice(out.indexOf('Fig. 4'), out.indexOf('Fig. 5'));
    expect(fig4).not.toMatch(/^imap +34765/m);
    expect(fig4).toMatch(/^\(3 empty rows left out\)$/m);
    // Tables with no row (no valid certificate in these records) are not printed.
    const emptyTables = reports.flatMap((r) => r.tables.filter((t) => t.rows.length === 0));
    expect(emptyTables.length).toBeGreaterThan(0);
    // Titles and notes wrap at the width: read them with their lines joined.
    const joined = (text: string) => text.replace(/\n/g, ' ');
    for (const t of emptyTables) expect(joined(out)).not.toContain(`${t.title} (`);
    expect(joined(out)).toMatch(/Left out: \d+ empty tables and \d+ empty rows \(every count zero\); --all shows them\./);

    const all = await analyze(['--format', 'table', '--all'], { COLUMNS: '80' });
    expect(Math.max(...all.split('\n').map((l) => [...l].length))).toBeLessThanOrEqual(80);
    expect(all.slice(all.indexOf('Fig. 4'), all.indexOf('Fig. 5'))).toMatch(/^imap +34765 +0$/m);
    expect(all).not.toContain('Left out');
    for (const t of emptyTables) expect(joined(all)).toContain(`${t.title} (`);
    expect(all.split('\n').length).toBeGreaterThan(lines.length);
  }, 240_000);

  it('csv --output DIR: one file per table, read back by a CSV parser, the numbers of --format json', async () => {
    const out = join(dir, 'tables');
    expect(await analyze(['--format', 'csv', '--output', out])).toBe('');
    const want = reports.flatMap((r) => r.tables.map((t) => ({ name: `${r.analysis.id}-${t.id}.csv`, table: t })));
    expect(readdirSync(out).sort()).toEqual(want.map((w) => w.name).sort());
    for (const { name, table } of want) {
      const rows = parse(readFileSync(join(out, name), 'utf8'), { columns: true, skip_empty_lines: false }) as Array<Record<string, string>>;
      const header = (parse(readFileSync(join(out, name), 'utf8'), { to_line: 1 }) as string[][])[0];
      expect(header, name).toEqual(table.columns.map((c) => c.key));
      expect(rows.length, name).toBe(table.rows.length);
      table.rows.forEach((row, i) => {
        for (const c of table.columns) {
          const v = row[c.key];
          const got = rows[i]![c.key]!;
          if (v === null || v === undefined) expect(got, `${name} row ${i} ${c.key}`).toBe('');
          else if (typeof v === 'number') expect(Number(got), `${name} row ${i} ${c.key}`).toBe(v);
          else if (Array.isArray(v)) expect(got, `${name} row ${i} ${c.key}`).toBe(v.join(' '));
          else expect(got, `${name} row ${i} ${c.key}`).toBe(String(v));
        }
      });
    }
  }, 240_000);

  it('csv: a name ending in .csv keeps the one stream (the help points to a directory), an existing file is a usage error up front', async () => {
    const one = join(dir, 'all.csv');
    const r = await runCli(['analyze', RESULTS, '--analysis', 'sasl', '--format', 'csv', '--output', one], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(one, 'utf8')).toMatch(/^# sasl \/ mechanisms \(per-server\)$/m);
    expect(r.stderr).toBe('');
    const help = await runCli(['analyze', '--help'], { cwd: dir });
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('--format csv --output DIR writes one CSV file per table');
    const file = join(dir, 'not-a-dir');
    writeFileSync(file, 'keep');
    const bad = await runCli(['analyze', join(dir, 'no-such-results.jsonl'), '--format', 'csv', '--output', file], { cwd: dir });
    // The output is checked first: the missing results file is never reached.
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`--output ${file}`);
    expect(readFileSync(file, 'utf8')).toBe('keep');
  }, 120_000);
});
