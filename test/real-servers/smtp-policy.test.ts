import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir, type Daemon } from '../harness/daemon.js';
import { DAEMONS, requireBinaries } from '../harness/require-binary.js';
import { runCli, type CliResult } from '../cli/run-cli.js';
import { SecureResolver } from '@wildtls/analysis-smtp-policy';
import { startPostfix, POSTFIX_INSTALL } from './smtp/postfix.js';
import { KNOTD, UNBOUND, startDnsWorld, type DnsWorld } from './smtp-policy/dns-world.js';
import { ADDR, CASES, corruptSignatures, makePki, startPolicyNginx, zones, type Pki } from './smtp-policy/policy-world.js';

/*
 * SMTP transport security policy, end to end on 127.0.67.0/24: Knot serves a
 * DNSSEC-signed zone (sec.test, one TLSA signature corrupted) and an unsigned
 * one (plain.test); unbound validates with sec.test's key as trust anchor;
 * Postfix is every MX host (a test-CA chain naming them all); nginx serves
 * the MTA-STS policies with a test-CA certificate. `wildtls scan --source
 * domains` resolves the MX hosts through unbound and probes port 25, then
 * `wildtls analyze --analysis smtp-policy --dns-server <unbound> --roots <CA>`
 * judges each domain. The expected verdicts are declared in CASES.
 */

interface Report {
  analysis: { id: string };
  totals: Record<string, number>;
  tables: Array<{ id: string; rows: Array<Record<string, unknown>> }>;
  notes?: string[];
}

const ready = requireBinaries([{ ...DAEMONS.postfix, how: POSTFIX_INSTALL }, DAEMONS.nginx, DAEMONS.openssl, KNOTD, UNBOUND]);

let dir = '';
let pki: Pki;
let dns: DnsWorld | undefined;
const daemons: Daemon[] = [];
let scan: CliResult;
let analyze: CliResult;
let offline: CliResult;
let imported: CliResult;
let fromStore: CliResult;
let report: Report | undefined;
const logs = () => `${dns?.logs() ?? ''}\n${daemons.map((d) => d.output()).join('\n')}\n--- scan ---\n${scan?.stderr}\n--- analyze ---\n${analyze?.stderr}`;

beforeAll(async () => {
  if (!ready) return;
  dir = tempDir('smtp-policy');
  chmodSync(dir, 0o755); // Postfix's unprivileged processes walk down to their queue
  pki = await makePki(join(dir, 'pki'));
  dns = await startDnsWorld(join(dir, 'dns'), ADDR.auth, ADDR.resolver, zones(pki), corruptSignatures);
  daemons.push(await startPostfix(join(dir, 'mx'), {
    bundleFile: pki.mxBundle,
    saslSocket: join(dir, 'no-sasl'),
    services: [`${ADDR.mx}:25 inet n - n - - smtpd`],
    listens: [{ host: ADDR.mx, port: 25 }],
  }));
  daemons.push(await startPolicyNginx(join(dir, 'web'), pki));
  const config = join(dir, 'scan.yaml');
  writeFileSync(config, ['scan:', '  allow: [127.0.0.0/8]', '  rate: 0', '  progress: off', '  connectRetries: 0', 'log:', '  level: warn', ''].join('\n'));
  const out = join(dir, 'mx.jsonl');
  scan = await runCli(['scan', '--config', config, '--source', 'domains', '-p', 'smtp', '--dns-server', ADDR.resolver, '--output', out, ...CASES.map((c) => c.domain)], { cwd: dir, timeoutMs: 90_000 });
  analyze = await runCli(['analyze', out, '--analysis', 'smtp-policy', '--dns-server', ADDR.resolver, '--roots', pki.rootsFile, '--format', 'json'], { cwd: dir, timeoutMs: 90_000 });
  offline = await runCli(['analyze', out, '--analysis', 'smtp-policy', '--format', 'json'], { cwd: dir, timeoutMs: 60_000 });
  // The same records in a result store: smtp-policy's analyzeStore restores only the port-25 SMTP records.
  const store = join(dir, 'mx.duckdb');
  imported = await runCli(['import', out, '--into', store], { cwd: dir, timeoutMs: 60_000 });
  fromStore = await runCli(['analyze', store, '--analysis', 'smtp-policy', '--dns-server', ADDR.resolver, '--roots', pki.rootsFile, '--format', 'json'], { cwd: dir, timeoutMs: 90_000 });
  try {
    report = (JSON.parse(analyze.stdout) as Record<string, Report>)['smtp-policy'];
  } catch {
    report = undefined;
  }
}, 180_000);

afterAll(async () => {
  for (const d of daemons.reverse()) await d.stop();
  await dns?.stop();
  if (dir) removeDir(dir);
});

describe.runIf(ready)('smtp-policy on a loopback world: DNSSEC, DANE, MTA-STS, TLS-RPT', () => {
  it('the scan resolves every MX through the validating resolver and reaches STARTTLS on Postfix, each record with its mail domain', () => {
    expect(scan.code, logs()).toBe(0);
    const out = join(dir, 'mx.jsonl');
    const records = existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { mailDomain?: string; domain?: string; tls?: { completed?: boolean } }) : [];
    for (const c of CASES) {
      const r = records.find((x) => x.mailDomain === c.domain);
      expect(r, `${c.domain}\n${logs()}`).toBeDefined();
      expect(r!.domain).toBe(c.mx);
      expect(r!.tls?.completed, c.domain).toBe(true);
    }
  });

  it('the resolver client tells secure, insecure and bogus apart through unbound (AD bit, SERVFAIL then CD)', async () => {
    const r = new SecureResolver({ server: { host: ADDR.resolver, port: 53 }, timeoutMs: 3000, concurrency: 4, rate: 100, maxQueries: 100, cacheSize: 100 });
    const any = () => true;
    const look = async (name: string, type: string) => {
      const l = await r.lookup(name, type, any);
      return { status: l.status, n: l.records.length, empty: l.empty };
    };
    expect(await look('dane-ee.sec.test', 'MX'), logs()).toEqual({ status: 'secure', n: 1, empty: false });
    expect(await look('_25._tcp.mx-ee.sec.test', 'TLSA')).toEqual({ status: 'secure', n: 1, empty: false });
    expect(await look('_25._tcp.mx-sts.sec.test', 'TLSA')).toEqual({ status: 'secure', n: 0, empty: true });
    expect(await look('nothing-here.sec.test', 'TXT')).toEqual({ status: 'secure', n: 0, empty: true });
    expect(await look('_25._tcp.mx.plain.test', 'TLSA')).toEqual({ status: 'insecure', n: 1, empty: false });
    expect(await look('_25._tcp.mx-bogus.sec.test', 'TLSA')).toEqual({ status: 'bogus', n: 0, empty: false });
    // Cached: asking again costs no query.
    const before = r.queries;
    await look('dane-ee.sec.test', 'MX');
    expect(r.queries).toBe(before);
  });

  it('analyze judges every domain', () => {
    expect(analyze.code, logs()).toBe(0);
    expect(report, analyze.stdout.slice(0, 2000)).toBeDefined();
    expect(report!.totals).toMatchObject({ mailDomains: CASES.length, judged: CASES.length });
  });

  it('gives each declared verdict, with the declared broken causes', () => {
    const perDomain = report!.tables.find((t) => t.id === 'domains')!.rows;
    const got = Object.fromEntries(perDomain.map((r) => [r.domain, { verdict: r.verdict, causes: r.causes }]));
    const want = Object.fromEntries(CASES.map((c) => [c.domain, { verdict: c.verdict, causes: c.causes }]));
    expect(got, logs()).toEqual(want);
  });

  it('verdict shares, valid chain beside protected, broken causes add up', () => {
    const count = (v: string) => CASES.filter((c) => c.verdict === v).length;
    const verdicts = report!.tables.find((t) => t.id === 'verdicts')!.rows;
    for (const r of verdicts) expect(r.domains, String(r.verdict)).toBe(count(String(r.verdict)));
    const p25 = Object.fromEntries(report!.tables.find((t) => t.id === 'port25-protection')!.rows.map((r) => [r.measure, r.domains]));
    const protectedN = count('dane') + count('mta-sts-enforce');
    // Every MX sends the same test-CA chain naming it: valid everywhere; only the DANE and enforce domains are protected.
    expect(p25).toEqual({
      'STARTTLS completed on at least one MX host': CASES.length,
      'Valid chain naming the MX host, on every MX host': CASES.length,
      'Protected against an active attacker (DANE or MTA-STS enforce)': protectedN,
      'Valid chain everywhere but not protected': CASES.length - protectedN,
    });
    const causes = Object.fromEntries(report!.tables.find((t) => t.id === 'broken')!.rows.map((r) => [r.cause, r.domains]));
    const want: Record<string, number> = {};
    for (const c of CASES) for (const k of c.causes) want[k] = (want[k] ?? 0) + 1;
    expect(causes).toEqual(want);
  });

  it('reads TLS-RPT where it is published', () => {
    const perDomain = report!.tables.find((t) => t.id === 'domains')!.rows;
    for (const c of CASES) expect(perDomain.find((r) => r.domain === c.domain)!.tlsRpt, c.domain).toBe(c.tlsRpt ? 'valid' : 'absent');
  });

  it('from a result store of the same records (analyzeStore), the same report', () => {
    expect(imported.code, imported.stderr).toBe(0);
    expect(fromStore.code, fromStore.stderr).toBe(0);
    expect(JSON.parse(fromStore.stdout)).toEqual(JSON.parse(analyze.stdout));
  });

  it('without a resolver it says it is offline and gives no verdicts', () => {
    expect(offline.code, offline.stderr).toBe(0);
    const r = (JSON.parse(offline.stdout) as Record<string, Report>)['smtp-policy']!;
    expect(r.totals).toMatchObject({ mailDomains: CASES.length, judged: 0 });
    expect(r.notes!.join('\n')).toMatch(/Offline/);
    expect(r.tables.find((t) => t.id === 'domains')!.rows).toEqual([]);
  });
});
