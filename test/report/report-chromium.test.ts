import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../harness/daemon.js';
import { DAEMONS, requireBinaries } from '../harness/require-binary.js';
import { ROOT, runCli } from '../cli/run-cli.js';
import { farmConfigYaml } from '../real-servers/farm/farm-config.js';
import { startFarm, type Farm } from '../real-servers/farm/start-farm.js';
import { CHROMIUM, visitPage, type PageVisit } from './chromium-page.js';

/*
 * The proof of `wildtls report`: the loopback farm of real daemons (Postfix,
 * Dovecot, Prosody, InspIRCd, nginx, here on 127.0.60.1-5) is scanned, the
 * report of that scan is written and opened in Debian's Chromium. The page
 * must load nothing, log no error, show every figure the analyses declare,
 * and its marks must carry the numbers `wildtls analyze --format json` gives
 * for the same results.
 */

const AT = { postfix: '127.0.60.1', dovecot: '127.0.60.2', prosody: '127.0.60.3', inspircd: '127.0.60.4', nginx: '127.0.60.5' } as const;
const ARTIFACTS = resolve(ROOT, 'test-artifacts');
const FIGURES = ['crypto/fig-cipher-categories', 'ca-practice/fig-validity', 'ca-practice/fig-primary-error', 'reuse/fig-ccdf-certificates-all', 'reuse/fig-ccdf-certificates-valid', 'reuse/fig-ccdf-certificates-self-signed', 'reuse/fig-ccdf-keys'];

type Row = Record<string, unknown>;
type Reports = Record<string, { tables: Array<{ id: string; columns: Array<{ key: string; title: string; type: string }>; rows: Row[] }> }>;

const { postfix, dovecot, dovecotImap, dovecotPop3, prosody, inspircd, nginx } = DAEMONS;
const ready = requireBinaries([postfix, dovecot, dovecotImap, dovecotPop3, prosody, inspircd, nginx, { path: CHROMIUM, pkg: 'chromium' }]);

let farm: Farm;
let dir = '';
let log = '';
let reports: Reports = {};
let visit: PageVisit;

const rows = (analysis: string, table: string): Row[] => reports[analysis]!.tables.find((t) => t.id === table)!.rows;
const at = (r: Row) => `${String(r.service)}${typeof r.port === 'number' ? `:${r.port}` : ''}`;
const marks = (figure: string, role: string) => (visit.figures[figure]?.marks ?? []).filter((m) => m.startsWith(`${role}: `));

beforeAll(async () => {
  if (!ready) return;
  farm = await startFarm(AT);
  dir = tempDir('report-farm');
  const config = join(dir, 'farm.yaml');
  const out = join(dir, 'out.jsonl');
  writeFileSync(config, farmConfigYaml(farm));
  // The farm's own roots as trust anchors: its chains verify, so valid-only figures have data.
  const roots = join(dir, 'roots.pem');
  writeFileSync(roots, [...new Set(farm.served.map((s) => s.chain.root.certPem.trim()))].join('\n') + '\n');
  const scan = await runCli(['scan', '--config', config, '--output', out], { cwd: dir, timeoutMs: 120_000 });
  log += `scan: ${scan.code}\n${scan.stderr}`;
  const html = join(dir, 'report.html');
  const report = await runCli(['report', out, '--output', html, '--title', 'Farm <scan> & "report"', '--roots', roots], { cwd: dir, timeoutMs: 180_000 });
  log += `report: ${report.code}\n${report.stderr}`;
  const analyze = await runCli(['analyze', out, '--format', 'json', '--roots', roots], { cwd: dir, timeoutMs: 180_000 });
  log += `analyze: ${analyze.code}\n${analyze.stderr}`;
  reports = JSON.parse(analyze.stdout) as Reports;
  if (existsSync(html)) visit = await visitPage(html, ARTIFACTS, 'report-farm');
}, 600_000);

afterAll(async () => {
  await farm?.stop();
  if (dir) removeDir(dir);
});

describe.runIf(ready)('wildtls report of a scan of the real-daemon farm, opened in Chromium', () => {
  it('scan, report and analyze exit 0 and the page was opened', () => {
    expect(log).toMatch(/scan: 0\n/);
    expect(log).toMatch(/report: 0\n/);
    expect(log).toMatch(/analyze: 0\n/);
    expect(visit, log).toBeDefined();
  });

  it('loads nothing and logs no error', () => {
    expect(visit.requests).toEqual([]);
    expect(visit.consoleErrors).toEqual([]);
  });

  it('shows every figure the built-in analyses declare, laid out with marks', () => {
    expect(Object.keys(visit.figures).sort()).toEqual([...FIGURES].sort());
    for (const f of FIGURES) {
      expect(visit.figures[f]!.visible, f).toBe(true);
      expect(visit.figures[f]!.marks.length, f).toBeGreaterThan(0);
    }
  });

  it('Fig. 3: one bar per (port, suite class) with the server count analyze gives', () => {
    const cells = rows('crypto', 'cipher-categories');
    expect(cells.length).toBeGreaterThan(0);
    for (const r of cells) {
      const label = `Port: ${at(r)}; Suite class: ${String(r.keyExchange)} / ${String(r.bulk)}; Servers: ${String(r.servers)};`;
      expect(marks('crypto/fig-cipher-categories', 'bar').filter((m) => m.includes(label)), label).toHaveLength(1);
    }
  });

  it('Fig. 5: every first error per port with its servers; the farm\'s chains verify under their own roots', () => {
    const cells = rows('ca-practice', 'primary-error');
    expect(cells.some((r) => r.code === 0 && r.service === 'smtp')).toBe(true);
    for (const r of cells) {
      const label = `Port: ${at(r)}; Error: ${String(r.code)} ${String(r.error)}; Servers: ${String(r.servers)};`;
      expect(marks('ca-practice/fig-primary-error', 'bar').filter((m) => m.includes(label)), label).toHaveLength(1);
    }
  });

  it('Fig. 4: one bar per (port, validity class) with the share analyze gives, the farm\'s servers valid', () => {
    const table = reports['ca-practice']!.tables.find((t) => t.id === 'validity')!;
    const classes = table.columns.filter((c) => c.type === 'share');
    const counted = table.rows.filter((r) => Number(r.servers) > 0);
    expect(counted.some((r) => r.valid === 1)).toBe(true);
    for (const r of counted) {
      for (const c of classes) {
        const parts = [`Port: ${at(r)};`, `Class: ${c.title};`];
        const share = `Share: ${(Number(r[c.key]) * 100).toFixed(1)}%`;
        expect(marks('ca-practice/fig-validity', 'bar').filter((m) => parts.every((p) => m.includes(p)) && m.endsWith(share)), `${parts.join(' ')} ${share}`).toHaveLength(1);
      }
    }
  });

  it('Figs. 6a, 6b and 7: each point is a (port, X) of analyze\'s CCDF with its count', () => {
    for (const [fig, table] of [['reuse/fig-ccdf-certificates-all', 'ccdf-certificates-all'], ['reuse/fig-ccdf-certificates-valid', 'ccdf-certificates-valid'], ['reuse/fig-ccdf-keys', 'ccdf-keys']] as const) {
      const cells = rows('reuse', table);
      expect(cells.length, table).toBeGreaterThan(0);
      for (const r of cells) {
        const label = `Port: ${at(r)}; X: ${String(r.ips)}; On X or more IPs: ${String(r.items)};`;
        expect(marks(fig, 'point').filter((m) => m.includes(label)), `${fig}: ${label}`).toHaveLength(1);
      }
    }
  });

  it('the headline has each protocol\'s TLS reached and valid chains as the tables count them', () => {
    const tls = rows('starttls', 'tls-overview').filter((r) => r.service === 'smtp' && r.port !== null);
    const sum = tls.reduce((n, r) => n + Number(r.tls), 0);
    expect(visit.headline['starttls/tls-reached/smtp']).toMatch(new RegExp(`^${sum} of \\d+`));
    expect(sum).toBeGreaterThan(0);
    const valid = rows('ca-practice', 'validity').find((r) => r.service === 'imaps')!;
    expect(visit.headline['ca-practice/valid-chain/imaps']).toMatch(new RegExp(`^${Math.round(Number(valid.valid) * Number(valid.servers))} of ${String(valid.servers)} `));
  });

  it('the title is escaped: the browser shows it as typed, not as markup', () => {
    expect(visit.title).toBe('Farm <scan> & "report"');
    expect(visit.h1).toBe('Farm <scan> & "report"');
  });

  it('a screenshot is kept as an artifact', () => {
    expect(existsSync(visit.screenshot)).toBe(true);
    expect(readFileSync(visit.screenshot).subarray(1, 4).toString()).toBe('PNG');
  });
});
