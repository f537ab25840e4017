import { describe, expect, it } from 'vitest';
import type { Report } from './report.js';
import { renderReports } from './render-report.js';

const report: Report = {
  analysis: { id: 'demo', version: '1.0.0' },
  countingRule: 'per-server',
  totals: { records: 4, servers: 3 },
  tables: [{
    id: 'mechs',
    title: 'SASL mechanisms',
    columns: [{ key: 'mech', title: 'Mechanism', type: 'string' }, { key: 'n', title: 'Servers', type: 'integer' }, { key: 'share', title: 'Share', type: 'share' }],
    rows: [{ mech: 'PLAIN', n: 2, share: 2 / 3 }, { mech: 'A,"B"', n: 1, share: 1 / 3 }],
  }],
};

describe('renderReports', () => {
  it('renders any envelope as json keyed by analysis id', () => {
    expect(JSON.parse(renderReports([report], 'json'))).toEqual({ demo: report });
  });
  it('renders csv with raw fractions and escaping', () => {
    const csv = renderReports([report], 'csv');
    expect(csv).toContain('mech,n,share');
    expect(csv).toContain('PLAIN,2,0.6666666666666666');
    expect(csv).toContain('"A,""B""",1,0.3333333333333333');
  });
  it('renders markdown and tables with percentages and the counting rule', () => {
    const md = renderReports([report], 'markdown');
    expect(md).toContain('| Mechanism | Servers | Share |');
    expect(md).toContain('| PLAIN | 2 | 66.7% |');
    expect(md).toContain('Counting rule: per-server.');
    const table = renderReports([report], 'table');
    expect(table).toMatch(/SASL mechanisms \(per-server\)/);
    expect(table).toMatch(/PLAIN\s+2\s+66\.7%/);
  });
});
