import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate, startScriptedServer, type ScriptedServer } from '@wildtls/core/testing';
import { ROOT, runCli } from './run-cli.js';

const helloScript = (cert: { certPem: string; keyPem: string }) => ({
  tls: cert,
  script: [
    { send: '+HELLO fixture\r\n' },
    { expect: 'CAPS' },
    { send: 'STARTTLS\r\nAUTH PLAIN LOGIN\r\n.\r\n' },
    { expect: 'STARTTLS' },
    { send: '+GO\r\n' },
    { startTls: true as const },
    { expect: 'CAPS' },
    { send: 'AUTH PLAIN LOGIN SCRAM-SHA-256\r\n.\r\n' },
    { expect: 'BYE' },
  ],
});

let server: ScriptedServer;
let dir: string;
let certDer: Buffer;

beforeAll(async () => {
  const cert = await selfSignedCertificate({ keyType: 'ec' });
  certDer = cert.der;
  server = await startScriptedServer(helloScript(cert));
  dir = mkdtempSync(join(tmpdir(), 'wildtls-3p-'));
  writeFileSync(
    join(dir, 'wildtls.config.yaml'),
    [
      '# a user config naming a third-party plugin by path',
      'plugins:',
      `  - ${resolve(ROOT, 'test/fixtures/third-party-plugin')}`,
      'scan:',
      '  protocols: [hello]',
      '  allow: [127.0.0.0/8]',
      'tls:',
      '  engine: node',
      'options:',
      '  hello:',
      '    greeting: hey',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await server.close();
});

describe('a third-party plugin outside plugins/', () => {
  it('is loaded from the YAML config and its records appear in the JSONL output', async () => {
    const out = join(dir, 'out.jsonl.gz');
    const r = await runCli(['scan', '127.0.0.1', '--port', String(server.port), '--output', out], { cwd: dir });
    expect(r.stderr).toContain('by status (per probe): success 1');
    expect(r.code).toBe(0);
    const lines = gunzipSync(readFileSync(out)).toString().trim().split('\n');
    expect(lines).toHaveLength(1);
    const rec = JSON.parse(lines[0]!);
    expect(rec).toMatchObject({
      ip: '127.0.0.1',
      port: server.port,
      service: 'hello',
      protocol: 'hello',
      mode: 'starttls',
      status: 'success',
      banner: '+HELLO fixture',
      starttls: { offered: true, upgraded: true, reply: '+GO' },
      sasl: { beforeTls: ['PLAIN', 'LOGIN'], afterTls: ['PLAIN', 'LOGIN', 'SCRAM-SHA-256'] },
    });
    expect(Buffer.from(rec.tls.chain[0], 'base64').equals(certDer)).toBe(true);
    const schema = JSON.parse(readFileSync(resolve(ROOT, 'docs/record.schema.json'), 'utf8'));
    const ajv = new Ajv({ strict: false });
    (addFormats as unknown as (a: Ajv) => void)(ajv);
    const validate = ajv.compile(schema);
    expect(validate(rec), JSON.stringify(validate.errors)).toBe(true);
  });

  it('feeds an analysis live on the result bus during the scan', async () => {
    const cfg = join(dir, 'with-analysis.yaml');
    writeFileSync(cfg, readFileSync(join(dir, 'wildtls.config.yaml'), 'utf8').replace('plugins:\n', 'plugins:\n  - "@wildtls/analysis-starttls"\n  - "@wildtls/analysis-sasl"\n'));
    const report = join(dir, 'live-report.json');
    const r = await runCli(['scan', '127.0.0.1', '--port', String(server.port), '--config', cfg, '--analysis', 'starttls', '--analysis', 'sasl', '--format', 'json', '--report', report], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const reports = JSON.parse(readFileSync(report, 'utf8'));
    expect(Object.keys(reports).sort()).toEqual(['sasl', 'starttls']);
    expect(reports.starttls.totals).toMatchObject({ records: 1, servers: 1 });
    const table = reports.starttls.tables[0];
    const row = table.rows.find((x: Record<string, unknown>) => Object.values(x).includes('hello'));
    expect(row, JSON.stringify(table.rows)).toBeDefined();
  });

  it('is listed by `wildtls plugins` with its source', async () => {
    const r = await runCli(['plugins', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout);
    expect(list.plugins).toEqual([expect.objectContaining({ id: 'hello', kind: 'protocol', version: '1.2.3', api: '^1.0.0', source: 'path' })]);
  });

  it('refuses the blocklisted loopback range unless allowed, and reports the count', async () => {
    const r = await runCli(['scan', '127.0.0.1', '--port', String(server.port), '--config', join(dir, 'wildtls.config.yaml')], { cwd: ROOT });
    expect(r.code).toBe(0);
    // The config allows loopback; without it, nothing is probed and the exclusion is counted.
    const cfg2 = join(dir, 'no-allow.yaml');
    writeFileSync(cfg2, readFileSync(join(dir, 'wildtls.config.yaml'), 'utf8').replace('  allow: [127.0.0.0/8]\n', ''));
    const r2 = await runCli(['scan', '127.0.0.0/30', '--port', String(server.port), '--config', cfg2]);
    // A scan that probed nothing did not do what was asked: exit 2, naming the flag that fixes it.
    expect(r2.code).toBe(2);
    expect(r2.stdout).toBe('');
    expect(r2.stderr).toContain('0 probes');
    expect(r2.stderr).toContain('excluded by blocklist: 4');
    expect(r2.stderr).toContain('wildtls: nothing was scanned: all 4 target addresses are excluded by the blocklist (IANA special-purpose ranges, --blocklist, --allowlist); loopback needs --allow 127.0.0.0/8 [WILDTLS_ERR_TARGET]');
  }, 120_000); // two CLI runs on a loaded machine
});
