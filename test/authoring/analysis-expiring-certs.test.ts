import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateChain, selfSignedCertificate } from '@wildtls/core/testing';
import { removeDir, tempDir } from '../harness/daemon.js';
import { runCli } from '../cli/run-cli.js';
import { EXAMPLES, NPM, applyExample, linkDevDependencies, listFiles, ok, readJson, run } from './plugin-workspace.js';

/*
 * The analysis half of the authoring proof: `wildtls plugins new analysis
 * expiring-certs` outside plugins/, the finished example (docs/examples/
 * analysis-expiring-certs) written over the scaffold's src/ and test/, built
 * and tested with its own scripts, then run by `wildtls analyze` over a JSONL
 * result file generated here from certificates with chosen notAfter dates.
 */

const EXAMPLE = join(EXAMPLES, 'analysis-expiring-certs');
const DAY = 86_400_000;
// The scan time of every record; certificates expire relative to it.
const SCAN = new Date(Math.floor(Date.now() / 1000) * 1000);

let work: string;
let pluginDir: string;
let results: string;

const leafIn = async (days: number) => (await selfSignedCertificate({ keyType: 'ec', notAfter: new Date(SCAN.getTime() + days * DAY) })).der.toString('base64');

function record(ip: string, service: string, port: number, chain?: string[]) {
  return {
    ip, port, service, protocol: service.replace(/s$/, ''), mode: 'starttls',
    status: chain ? 'success' : 'no-starttls', startedAt: SCAN.toISOString(), durationMs: 12,
    ...(chain ? { starttls: { offered: true, upgraded: true }, tls: { version: 'TLSv1.3', chain, ocspStapled: false, completed: true } } : { starttls: { offered: false, upgraded: false } }),
  };
}

beforeAll(async () => {
  work = tempDir('authoring-analysis');
  pluginDir = join(work, 'wildtls-analysis-expiring-certs');
  const chain = await certificateChain({ keyType: 'ec', leafNotAfter: new Date(SCAN.getTime() + 1 * DAY) });
  const [in5, in29, in30, in31, in200, ago2] = await Promise.all([5, 29, 30, 31, 200, -2].map(leafIn));
  const records = [
    // smtp: 4 servers, 3 with a certificate, 2 of them expiring (5 and 29 days); A's second record is ignored.
    record('192.0.2.1', 'smtp', 25, [in5!]),
    record('192.0.2.1', 'smtp', 25, [in200!]),
    record('192.0.2.2', 'smtp', 25, [in200!]),
    record('192.0.2.3', 'smtp', 25),
    record('192.0.2.4', 'smtp', 25, [in29!]),
    // imaps: 3 servers with a certificate: expired 2 days ago, 31 days (outside), not a certificate.
    record('192.0.2.5', 'imaps', 993, [ago2!]),
    record('192.0.2.6', 'imaps', 993, [in31!]),
    record('192.0.2.7', 'imaps', 993, [Buffer.from('not a certificate').toString('base64')]),
    // xmpp-client: leaf (1 day) + intermediate; and exactly 30 days: inside the window.
    record('192.0.2.8', 'xmpp-client', 5222, [chain.leaf.der.toString('base64'), chain.intermediate.der.toString('base64')]),
    record('192.0.2.9', 'xmpp-client', 5222, [in30!]),
  ];
  results = join(work, 'results.jsonl');
  writeFileSync(results, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
});

afterAll(() => {
  if (work) removeDir(work);
});

describe('an analysis plugin built from the template (certificates expiring within 30 days)', () => {
  it('is scaffolded by `wildtls plugins new` with the structure of the finished example', async () => {
    const r = await runCli(['plugins', 'new', 'analysis', 'expiring-certs', '--dir', pluginDir], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('created wildtls-analysis-expiring-certs');
    const scaffolded = listFiles(pluginDir);
    expect(scaffolded).toEqual(['.gitignore', 'README.md', 'package.json', 'src/analyzer.ts', 'src/index.ts', 'test/analyzer.test.ts', 'test/fixtures/records.jsonl', 'tsconfig.json']);
    const example = listFiles(EXAMPLE);
    for (const f of scaffolded.filter((f) => !f.startsWith('test/fixtures/'))) expect(example).toContain(f);
    const pkg = readJson(join(pluginDir, 'package.json'));
    expect({ ...pkg, devDependencies: { ...pkg.devDependencies, '@wildtls/core': '^0.1.0' } }).toEqual(readJson(join(EXAMPLE, 'package.json')));
    expect(readFileSync(join(pluginDir, 'tsconfig.json'), 'utf8')).toBe(readFileSync(join(EXAMPLE, 'tsconfig.json'), 'utf8'));
  });

  it('builds and passes its own tests once the analysis is filled in', async () => {
    applyExample(pluginDir, EXAMPLE);
    linkDevDependencies(pluginDir);
    ok(await run(NPM, ['run', 'build'], { cwd: pluginDir }), 'npm run build');
    const t = ok(await run(NPM, ['test'], { cwd: pluginDir }), 'npm test');
    expect(t.stdout).toMatch(/Tests\s+3 passed/);
  }, 180_000);

  it('`wildtls analyze` counts per server and per service over the generated results', async () => {
    const config = join(work, 'wildtls.config.yaml');
    writeFileSync(config, ['plugins:', '  - ./wildtls-analysis-expiring-certs', 'options:', '  expiring-certs:', '    days: 30', ''].join('\n'));
    const r = await runCli(['analyze', results, '--analysis', 'expiring-certs', '--format', 'json', '--config', config], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    // --format json: the reports keyed by analysis id.
    const report = JSON.parse(r.stdout)['expiring-certs'];
    expect(report.analysis.id).toBe('expiring-certs');
    expect(report.countingRule).toBe('per-server');
    expect(report.totals).toEqual({ records: 10, servers: 9 });
    const byService = report.tables.find((t: { id: string }) => t.id === 'by-service');
    expect(byService.rows).toEqual([
      { service: 'imaps', servers: 3, withCertificate: 3, expiring: 0, expiringShare: 0, expired: 1, unparsable: 1 },
      { service: 'smtp', servers: 4, withCertificate: 3, expiring: 2, expiringShare: 2 / 3, expired: 0, unparsable: 0 },
      { service: 'xmpp-client', servers: 2, withCertificate: 2, expiring: 2, expiringShare: 1, expired: 0, unparsable: 0 },
    ]);
    const servers = report.tables.find((t: { id: string }) => t.id === 'expiring-servers');
    expect(servers.rows.map((row: { ip: string; daysLeft: number }) => [row.ip, row.daysLeft])).toEqual([
      ['192.0.2.8', 1],
      ['192.0.2.1', 5],
      ['192.0.2.4', 29],
      ['192.0.2.9', 30],
    ]);
  });

  it('takes its window from the config and the instant from --at', async () => {
    const config = join(work, 'week.yaml');
    writeFileSync(config, ['plugins: [./wildtls-analysis-expiring-certs]', 'options:', '  expiring-certs: { days: 7, services: [smtp, imaps] }', ''].join('\n'));
    const at = new Date(SCAN.getTime() + 25 * DAY).toISOString();
    const r = await runCli(['analyze', results, '--analysis', 'expiring-certs', '--format', 'json', '--config', config, '--at', at], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout)['expiring-certs'];
    // 25 days on, 7-day window: smtp 29 d -> expiring, 5 d -> expired; imaps 31 d -> expiring, -2 d -> expired.
    expect(report.tables[0].rows).toEqual([
      { service: 'imaps', servers: 3, withCertificate: 3, expiring: 1, expiringShare: 1 / 3, expired: 1, unparsable: 1 },
      { service: 'smtp', servers: 4, withCertificate: 3, expiring: 1, expiringShare: 1 / 3, expired: 1, unparsable: 0 },
    ]);
  });

  it('refuses a bad option with a message naming the key', async () => {
    const config = join(work, 'bad.yaml');
    writeFileSync(config, ['plugins: [./wildtls-analysis-expiring-certs]', 'options:', '  expiring-certs: { days: soon }', ''].join('\n'));
    const r = await runCli(['analyze', results, '--config', config], { cwd: work });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('expiring-certs');
    expect(r.stderr).toContain('days');
  });
});
