import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../harness/daemon.js';
import { DAEMONS, requireBinaries } from '../harness/require-binary.js';
import { ROOT, runCli, type CliResult } from '../cli/run-cli.js';
import { farmConfigYaml, SIX_PLUGINS } from './farm/farm-config.js';
import { FARM, startFarm, type Farm } from './farm/start-farm.js';

/*
 * The whole loopback farm (Postfix, Dovecot, Prosody, InspIRCd, nginx on
 * 127.0.15.1-5) scanned by ONE `wildtls scan --config farm.yaml` child
 * process that loads the six protocol plugins by package name, with the
 * default (raw) TLS engine. Every address is probed on every service's ports,
 * so most combinations are closed ports: the records must say exactly which
 * daemon serves what, one record per (address, port, service).
 */

interface Rec {
  ip: string;
  port: number;
  service: string;
  mode: string;
  status: string;
  banner?: string;
  starttls?: { offered: boolean; upgraded: boolean; reply?: string };
  sasl?: { beforeTls?: string[]; afterTls?: string[] };
  tls?: { version?: string; serverExtensions?: unknown[]; chain: string[] };
  http?: { status?: number; server?: string };
  error?: { message?: string };
}

const SERVICES = ['smtp', 'submission', 'smtps', 'imap', 'imaps', 'pop3', 'pop3s', 'xmpp-client', 'xmpp-server', 'xmpps-client', 'xmpps-server', 'irc', 'ircs', 'https'];
const key = (ip: string, port: number, service: string) => `${ip} ${port} ${service}`;
const b64 = (der: Buffer) => der.toString('base64');

let farm: Farm;
let dir = '';
let cli: CliResult;
let records: Rec[] = [];
let byKey = new Map<string, Rec>();

/** Context for a failed assertion: the record and what the daemons logged. */
const why = (r: unknown) => `${JSON.stringify(r)}\n--- wildtls stderr ---\n${cli?.stderr}\n--- daemons ---\n${farm?.logs()}`;

const { postfix, dovecot, dovecotImap, dovecotPop3, prosody, inspircd, nginx } = DAEMONS;
const ready = requireBinaries([postfix, dovecot, dovecotImap, dovecotPop3, prosody, inspircd, nginx]);

beforeAll(async () => {
  if (!ready) return;
  farm = await startFarm();
  dir = tempDir('farm-scan');
  const config = join(dir, 'farm.yaml');
  const out = join(dir, 'out.jsonl');
  writeFileSync(config, farmConfigYaml(farm));
  cli = await runCli(['scan', '--config', config, '--output', out], { cwd: dir, timeoutMs: 90_000 });
  records = existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec) : [];
  byKey = new Map(records.map((r) => [key(r.ip, r.port, r.service), r]));
});

afterAll(async () => {
  await farm?.stop();
  if (dir) removeDir(dir);
});

describe.runIf(ready)('wildtls scan of the loopback farm (six plugins, raw engine, one run)', () => {
  it('the config names the six plugins and leaves the engine at its default', () => {
    const yaml = readFileSync(join(dir, 'farm.yaml'), 'utf8');
    for (const p of SIX_PLUGINS) expect(yaml).toContain(`"${p}"`);
    expect(yaml).not.toMatch(/engine/);
    expect(Object.keys(farm.servicePorts).sort()).toEqual([...SERVICES].sort());
  });

  it('exits 0', () => {
    expect(cli.code, cli.stderr).toBe(0);
  });

  it('writes exactly one record per (address, port, service): none missing, no duplicates', () => {
    const expected = farm.addresses.flatMap((ip) => Object.entries(farm.servicePorts).flatMap(([service, ports]) => ports.map((port) => key(ip, port, service))));
    // targets × Σ(ports per service): 5 addresses × 15 (service, port) pairs.
    expect(expected).toHaveLength(farm.addresses.length * Object.values(farm.servicePorts).reduce((n, ps) => n + ps.length, 0));
    expect(new Set(expected).size).toBe(expected.length);
    const got = records.map((r) => key(r.ip, r.port, r.service));
    expect(got.length, cli.stderr).toBe(expected.length);
    expect(new Set(got).size).toBe(got.length);
    expect([...got].sort()).toEqual([...expected].sort());
  });

  it('every record validates against docs/record.schema.json', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    (addFormats as unknown as (a: Ajv) => void)(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(resolve(ROOT, 'docs/record.schema.json'), 'utf8')));
    expect(records.length).toBeGreaterThan(0);
    // Errors are read right after each call: ajv keeps only the last call's.
    const invalid = records.flatMap((r): string[] => {
      const where = key(r.ip, r.port, r.service);
      return validate(r) ? [] : [`${where}: ${ajv.errorsText(validate.errors)}`];
    });
    expect(invalid).toEqual([]);
  });

  it.each(SERVICES)('%s: success from the daemon that serves it, with its own chain', (service) => {
    const s = farm.served.find((x) => x.service === service)!;
    const r = byKey.get(key(s.ip, s.port, service));
    expect(r, `no record for ${key(s.ip, s.port, service)}`).toBeDefined();
    expect(r!.status, why(r)).toBe('success');
    expect(r!.mode).toBe(s.mode);
    if (s.mode === 'starttls') expect(r!.starttls, why(r)).toMatchObject({ offered: true, upgraded: true });
    else expect(r!.starttls).toBeUndefined();
    expect(['TLSv1.2', 'TLSv1.3']).toContain(r!.tls?.version);
    // Only the raw engine (the default) reads the ServerHello itself and records its extensions.
    expect(r!.tls?.serverExtensions?.length, why(r)).toBeGreaterThan(0);
    expect(r!.tls?.chain[0], why(r)).toBe(b64(s.chain.leaf.der));
    expect(r!.tls?.chain[1]).toBe(b64(s.chain.intermediate.der));
  });

  it('submission 587: SASL from Dovecot auth, offered only after STARTTLS', () => {
    const r = byKey.get(key(FARM.postfix, 587, 'submission'));
    expect(r?.sasl, why(r)).toEqual({ beforeTls: [], afterTls: ['PLAIN', 'LOGIN'] });
  });

  it('https 443: the HEAD request reaches nginx after the handshake', () => {
    const r = byKey.get(key(FARM.nginx, 443, 'https'));
    expect(r?.http, why(r)).toMatchObject({ status: 200, server: 'nginx' });
  });

  it('pop3 on Postfix port 25: protocol-error, SMTP answered', () => {
    const r = byKey.get(key(FARM.postfix, 25, 'pop3'));
    expect(r?.status, why(r)).toBe('protocol-error');
    expect(r?.tls).toBeUndefined();
  });

  it('every combination no daemon serves: connect-failed, no banner, no TLS', () => {
    const special = new Set([...farm.served.map((s) => key(s.ip, s.port, s.service)), key(FARM.postfix, 25, 'pop3')]);
    const rest = records.filter((r) => !special.has(key(r.ip, r.port, r.service)));
    expect(rest.length).toBe(records.length - special.size);
    const wrong = rest.filter((r) => r.status !== 'connect-failed' || r.tls !== undefined || r.banner !== undefined);
    expect(wrong, why(wrong)).toEqual([]);
  });
});
