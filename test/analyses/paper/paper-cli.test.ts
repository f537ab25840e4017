/**
 * `wildtls analyze` renders the sasl and reuse reports, the study's tables
 * included, in every format, from real scans' records (the fixture library,
 * test/synthetic/fixture/records.jsonl).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../cli/run-cli.js';

const FIXTURE_FILE = fileURLToPath(new URL('../../synthetic/fixture/records.jsonl', import.meta.url));

const analyze = (format: string) => runCli(['analyze', FIXTURE_FILE, '--analysis', 'sasl', '--analysis', 'reuse', '--format', format], { timeoutMs: 60_000 });

describe('wildtls analyze --analysis sasl --analysis reuse', () => {
  it('json: the study\'s tables carry their paper markers', async () => {
    const r = await analyze('json');
    expect(r.code, r.stderr).toBe(0);
    const reports = JSON.parse(r.stdout) as Record<string, { tables: Array<{ id: string; paper?: { ref: string; order?: number } }> }>;
    const refs = (id: string) => reports[id]!.tables.filter((t) => t.paper).map((t) => `${t.id}:${t.paper!.ref}`);
    expect(refs('sasl')).toEqual([
      'mechanisms:Tables VIII-XI', 'combinations:Tables VIII-XI', 'after-tls-text:Tables VIII-XI',
      'before-tls-mechanisms:Tables XII-XIII', 'before-tls-combinations:Tables XII-XIII', 'before-tls-text:Tables XII-XIII',
    ]);
    expect(refs('reuse')).toEqual([
      'most-reused:Table VI', 'most-reused-all:Table VI',
      'ccdf-certificates-all:Fig. 6', 'ccdf-certificates-valid:Fig. 6', 'ccdf-certificates-self-signed:Fig. 6', 'reused-valid:Fig. 6', 'ccdf-keys:Fig. 7',
    ]);
  });

  it.each(['table', 'markdown', 'csv'])('%s: every table is rendered', async (format) => {
    const r = await analyze(format);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const marks = format === 'csv'
      ? ['# sasl / mechanisms', '# sasl / before-tls-text', '# reuse / most-reused', '# reuse / ccdf-keys', '# reuse / reused-valid']
      : ['Tables VIII-IX: SASL mechanisms offered after TLS', 'Tables XII-XIII, text:', 'Table VI: most reused certificates per protocol', 'Fig. 6a: likelihood', 'Fig. 7: likelihood'];
    for (const m of marks) expect(r.stdout).toContain(m);
    // A pooled row has no port: rendered as an empty cell, never "null".
    expect(r.stdout).not.toMatch(/\bnull\b/);
  });
});
