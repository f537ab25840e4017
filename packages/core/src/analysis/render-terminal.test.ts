import { describe, expect, it } from 'vitest';
import { reportCsvFiles } from './csv-files.js';
import { renderReports } from './render-report.js';
import { renderTerminal } from './render-terminal.js';
import type { Report } from './report.js';

// A hand-made report: two empty rows (every count zero or blank; port and rank do not count), one empty table,
// a long server-controlled subject, and headline items declared as an analysis declares them (Report.headline).
const ca: Report = {
  analysis: { id: 'ca-practice', version: '1' },
  countingRule: 'per-server',
  totals: { records: 9, servers: 7 },
  tables: [
    {
      id: 'validity',
      title: 'Validity',
      columns: [{ key: 'service', title: 'Service', type: 'string' }, { key: 'port', title: 'Port', type: 'integer' }, { key: 'servers', title: 'Servers with a chain', type: 'integer' }, { key: 'valid', title: 'Valid', type: 'share' }],
      rows: [
        { service: 'smtp', port: 25, servers: 4, valid: 0.75 },
        { service: 'imap', port: 143, servers: 0, valid: null },
        { service: 'all', port: null, servers: 4, valid: 0.75 },
      ],
    },
    {
      id: 'reused',
      title: 'Most reused certificates',
      columns: [{ key: 'rank', title: 'Rank', type: 'integer' }, { key: 'subject', title: 'Subject', type: 'string' }, { key: 'ips', title: 'IPs', type: 'integer' }],
      rows: [
        { rank: 1, subject: `CN=${'very-long-name.'.repeat(12)}example\u001b[31m`, ips: 3 },
        { rank: 2, subject: 'CN=nothing', ips: 0 },
      ],
    },
    { id: 'nothing', title: 'Never seen', columns: [{ key: 'service', title: 'Service', type: 'string' }, { key: 'n', title: 'N', type: 'integer' }], rows: [] },
  ],
  headline: [{ id: 'valid-chain', title: 'Valid chains', order: 30, of: 'servers with a chain', values: [{ service: 'smtp', count: 3, total: 4 }, { service: 'imap', count: 0, total: 0 }] }],
};
const starttls: Report = {
  analysis: { id: 'starttls', version: '1' },
  countingRule: 'per-server',
  totals: { records: 9, servers: 7 },
  tables: [
    {
      id: 'tls-overview',
      title: 'TLS',
      columns: [{ key: 'service', title: 'Service', type: 'string' }, { key: 'port', title: 'Port', type: 'integer' }, { key: 'hosts', title: 'Hosts', type: 'integer' }, { key: 'tls', title: 'TLS', type: 'integer' }],
      rows: [{ service: 'smtp', port: 25, hosts: 5, tls: 4 }, { service: 'smtp', port: 2525, hosts: 1, tls: 0 }, { service: 'imap', port: 143, hosts: 2, tls: 0 }, { service: 'all', port: null, hosts: 8, tls: 4 }],
    },
    {
      id: 'starttls-support',
      title: 'STARTTLS',
      columns: [{ key: 'service', title: 'Service', type: 'string' }, { key: 'port', title: 'Port', type: 'integer' }, { key: 'hosts', title: 'Hosts', type: 'integer' }, { key: 'upgraded', title: 'Upgraded', type: 'integer' }],
      rows: [{ service: 'smtp', port: 25, hosts: 5, upgraded: 5 }, { service: 'imap', port: 143, hosts: 2, upgraded: 1 }],
    },
  ],
  headline: [
    { id: 'tls-reached', title: 'TLS reached', order: 20, of: 'servers probed', values: [{ service: 'smtp', count: 4, total: 6 }, { service: 'imap', count: 0, total: 2 }] },
    { id: 'upgraded', title: 'STARTTLS accepted', order: 40, of: 'servers with the port open', values: [{ service: 'smtp', count: 5, total: 5 }, { service: 'imap', count: 1, total: 2 }] },
    { id: 'probed', title: 'Probed', order: 10, values: [{ service: 'smtp', count: 6 }, { service: 'imap', count: 2 }] },
  ],
};
const reports = [ca, starttls];
const widths = (text: string) => text.split('\n').map((l) => [...l].length);

describe('renderTerminal', () => {
  it('starts with a headline of the items the reports declare, in their order, summed over services', () => {
    const out = renderTerminal(reports);
    const lines = out.split('\n');
    expect(lines[0]).toBe('wildtls analyze: 9 records, 7 servers (ip:port); 2 analyses: ca-practice, starttls');
    expect(out).toMatch(/^Service +Probed +TLS reached +Valid chains +STARTTLS accepted$/m);
    expect(out).toMatch(/^smtp +6 +4 of 6 \(66\.7%\) +3 of 4 \(75\.0%\) +5 of 5 \(100\.0%\)$/m);
    expect(out).toMatch(/^imap +2 +0 of 2 \(0\.0%\) +0 of 0 +1 of 2 \(50\.0%\)$/m);
    expect(out).toMatch(/^all +8 +4 of 8 \(50\.0%\) +3 of 4 \(75\.0%\) +6 of 7 \(85\.7%\)$/m);
    expect(out).toContain('TLS reached: of the servers probed (starttls/tls-reached)');
    expect(out).toContain('Probed: a count (starttls/probed)');
  });

  it('no headline table when no report declares headline items', () => {
    const bare = reports.map(({ headline: _h, ...r }) => r);
    const out = renderTerminal(bare);
    expect(out).not.toContain('Per service');
    expect(out.split('\n')[0]).toBe('wildtls analyze: 9 records, 7 servers (ip:port); 2 analyses: ca-practice, starttls');
  });

  it('leaves out empty rows and tables and says how many; --all shows them', () => {
    const out = renderTerminal(reports);
    expect(out).not.toMatch(/^imap +143 +0/m);
    expect(out).not.toContain('CN=nothing');
    expect(out).not.toContain('Never seen');
    expect(out).toContain('Left out: 1 empty table and 2 empty rows (every count zero); --all shows them.');
    const all = renderTerminal(reports, { all: true });
    expect(all).toMatch(/^imap +143 +0$/m);
    expect(all).toContain('CN=nothing');
    expect(all).toContain('Never seen');
    expect(all).not.toContain('Left out');
  });

  it.each([30, 40, 60, 80, 120])('fits %i columns: long cells end in an ellipsis, numbers are never cut', (width) => {
    const out = renderTerminal(reports, { width });
    expect(Math.max(...widths(out))).toBeLessThanOrEqual(width);
    expect(out).toContain('…');
    expect(out).toMatch(/75\.0%/);
    expect(out).not.toContain('\u001b');
  });

  it('server-controlled cells: C0, C1 and bidi override characters escaped', () => {
    const hostile: Report = { ...ca, tables: [{ ...ca.tables[1]!, rows: [{ rank: 1, subject: 'CN=a\u001b[2Jb\u009b31m\u202ec', ips: 1 }] }] };
    const out = renderTerminal([hostile]);
    expect(out).toContain('CN=a\\x1b[2Jb\\x9b31m\\u202ec');
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    expect(out).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e]/);
  });

  it('a table whose numbers alone overflow the width turns into one block of lines per row', () => {
    const wide: Report = { ...ca, tables: [{ id: 'w', title: 'Wide', columns: Array.from({ length: 12 }, (_, i) => ({ key: `c${i}`, title: `Column ${i}`, type: 'share' as const })), rows: [Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`c${i}`, 0.5]))] }] };
    const out = renderTerminal([wide], { width: 40 });
    expect(Math.max(...widths(out))).toBeLessThanOrEqual(40);
    expect(out).toContain('-- row 1');
    expect(out).toMatch(/^Column 11 *: 50\.0%$/m);
  });

  it('renderReports: the terminal view only when asked, json and the plain table as before', () => {
    expect(renderReports(reports, 'table')).not.toContain('wildtls analyze:');
    expect(renderReports(reports, 'table', { all: false })).toContain('wildtls analyze:');
    expect(renderReports(reports, 'json', { all: false })).toBe(renderReports(reports, 'json'));
  });
});

describe('reportCsvFiles', () => {
  it('one file per table, every table, with a header row and safe, distinct names', () => {
    const odd: Report = { ...ca, analysis: { id: '../evil/x', version: '1' }, tables: [{ ...ca.tables[2]!, id: 'a b' }, { ...ca.tables[2]!, id: 'a?b' }, { ...ca.tables[2]!, id: '.hidden' }] };
    const files = reportCsvFiles([ca, odd]);
    expect(files.map((f) => f.name)).toEqual(['ca-practice-validity.csv', 'ca-practice-reused.csv', 'ca-practice-nothing.csv', '__evil_x-a_b.csv', '__evil_x-a_b-2.csv', '__evil_x-_hidden.csv']);
    expect(files[0]!.text).toBe('service,port,servers,valid\nsmtp,25,4,0.75\nimap,143,0,\nall,,4,0.75\n');
    expect(files[2]!.text).toBe('service,n\n');
  });
});
