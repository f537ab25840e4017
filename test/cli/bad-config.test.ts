import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PLUGIN_API_VERSION } from '@wildtls/core';
import { ROOT, runCli } from './run-cli.js';

const plugin = resolve(ROOT, 'test/fixtures/third-party-plugin');

function configDir(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'wildtls-bad-'));
  writeFileSync(join(dir, 'wildtls.config.yaml'), yaml);
  return dir;
}

describe('bad configuration gives a clear error and a non-zero exit', () => {
  it('unknown key', async () => {
    const dir = configDir(`plugins: [${plugin}]\nscan:\n  protocols: [hello]\n  speed: 9\n`);
    const r = await runCli(['scan', '127.0.0.1'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(join(dir, 'wildtls.config.yaml'));
    expect(r.stderr).toMatch(/scan\.speed \(line 4\): unknown key "speed"/);
  });

  it('wrong type', async () => {
    const dir = configDir(`plugins: [${plugin}]\nscan:\n  concurrency: lots\noptions:\n  hello:\n    greeting: 5\n`);
    const r = await runCli(['scan', '127.0.0.1'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/scan\.concurrency \(line 3\): expected integer/);
    expect(r.stderr).toMatch(/options\.hello\.greeting \(line 6\): expected string/);
  });

  it('a --set override is validated like the file', async () => {
    const dir = configDir(`plugins: [${plugin}]\n`);
    const r = await runCli(['scan', '127.0.0.1', '--protocol', 'hello', '--set', 'scan.maxBytes=lots', '--set', 'options.hello.greeting=yo'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/scan\.maxBytes \(--set scan\.maxBytes=lots\): expected integer/);
    expect(r.stderr).not.toMatch(/greeting/);
  });

  it('unknown plugin', async () => {
    const dir = configDir('plugins:\n  - "@someone/wildtls-protocol-gopher"\n');
    const r = await runCli(['plugins'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/plugin "@someone\/wildtls-protocol-gopher" not found.*npm install @someone\/wildtls-protocol-gopher/);
    expect(r.stderr).toContain('WILDTLS_ERR_PLUGIN_NOT_FOUND');
  });

  it('incompatible plugin API', async () => {
    const dir = configDir(`plugins:\n  - ${resolve(ROOT, 'test/fixtures/old-api-plugin')}\n`);
    const r = await runCli(['plugins'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`was built for plugin API ^0.3.0, but this wildtls provides plugin API ${PLUGIN_API_VERSION}.`);
    expect(r.stderr).toMatch(/plugin "old" 0\.9\.0 /);
    expect(r.stderr).toContain('WILDTLS_ERR_PLUGIN_API');
  });

  it('unknown service is a usage error (exit 2) that lists the known ones', async () => {
    const dir = configDir(`plugins: [${plugin}]\n`);
    const r = await runCli(['scan', '127.0.0.1', '--protocol', 'gopher', '--allow', '127.0.0.0/8'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown service "gopher"\. Loaded protocol plugins provide: hello, hellos/);
  });

  it('an unreadable YAML file names the position', async () => {
    const dir = configDir('scan:\n  protocols: [smtp\n');
    const r = await runCli(['plugins'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/wildtls\.config\.yaml:\d+:\d+: invalid YAML/);
  });

  it('corrupt result files name the file and line', async () => {
    // No config file here: the built-in plugins (and their analyses) load.
    const dir = mkdtempSync(join(tmpdir(), 'wildtls-corrupt-'));
    const results = join(dir, 'results.jsonl');
    writeFileSync(results, '{"ip":"127.0.0.1","port":25,"service":"smtp","protocol":"smtp","mode":"starttls","status":"no-starttls","startedAt":"2026-01-01T00:00:00Z","durationMs":1}\n{"ip": truncated\n');
    const r = await runCli(['analyze', results, '--analysis', 'starttls'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${results}:2: not a JSON record`);
    expect(r.stderr).toContain('--lenient');
    const gz = join(dir, 'results.jsonl.gz');
    writeFileSync(gz, Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]));
    const r2 = await runCli(['analyze', gz, '--analysis', 'starttls'], { cwd: dir });
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain(gz);
  });

  it('--lenient skips what a kill -9 leaves (a cut last line) and garbage, counts them, and analyzes the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wildtls-lenient-'));
    const rec = (ip: string) => JSON.stringify({ ip, port: 25, service: 'smtp', protocol: 'smtp', mode: 'starttls', status: 'no-starttls', startedAt: '2026-01-01T00:00:00Z', durationMs: 1 });
    const results = join(dir, 'killed.jsonl');
    writeFileSync(results, `${rec('127.0.0.1')}\n{"nope":1}\n${rec('127.0.0.2')}\n{"ip":"127.0.0.3","po`);
    const r = await runCli(['analyze', results, '--analysis', 'starttls', '--format', 'json', '--lenient'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`skipped 2 unreadable lines (--lenient); the first: ${results}:2: not a wildtls record`);
    const reports = JSON.parse(r.stdout) as Record<string, { totals: Record<string, number> }>;
    expect(reports.starttls!.totals.records).toBe(2);
  });

  it('import of a record whose port is not a whole number names the file and line; --lenient skips it and imports the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wildtls-import-port-'));
    const rec = (ip: string, port: number) => JSON.stringify({ ip, port, service: 'smtp', protocol: 'smtp', mode: 'starttls', status: 'no-starttls', startedAt: '2026-01-01T00:00:00Z', durationMs: 1 });
    const results = join(dir, 'ports.jsonl');
    writeFileSync(results, `${rec('127.0.0.1', 25)}\n${rec('127.0.0.2', 25.5)}\n${rec('127.0.0.3', 587)}\n`);
    const r = await runCli(['import', results, '--into', join(dir, 'strict.duckdb')], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${results}:2: not a wildtls record (port 25.5 is not a whole number a port can be)`);
    expect(r.stderr).toContain('WILDTLS_ERR_RESULTS_CORRUPT');
    const store = join(dir, 'lenient.duckdb');
    const r2 = await runCli(['import', results, '--into', store, '--lenient'], { cwd: dir });
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stderr).toContain(`skipped 1 unreadable line (--lenient); the first: ${results}:2`);
    expect(r2.stderr).toContain(`2 records imported into ${store}`);
    const out = join(dir, 'back.jsonl');
    const r3 = await runCli(['export', store, '--format', 'jsonl', '--output', out], { cwd: dir });
    expect(r3.code, r3.stderr).toBe(0);
    expect(readFileSync(out, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { ip: string }).ip)).toEqual(['127.0.0.1', '127.0.0.3']);
  });

  it('a missing results file is not found, not corrupt; a binary file\'s bytes are escaped in the message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wildtls-missing-'));
    const r = await runCli(['analyze', join(dir, 'nope.jsonl'), '--analysis', 'starttls'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`results file not found: ${join(dir, 'nope.jsonl')} [WILDTLS_ERR_RESULTS_NOT_FOUND]`);
    const binary = join(dir, 'binary.bin');
    writeFileSync(binary, Buffer.from([0x00, 0x01, 0x1b, 0x5b, 0x32, 0x4a, 0xff, 0xfe, 0x0a]));
    const r2 = await runCli(['analyze', binary, '--analysis', 'starttls'], { cwd: dir });
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain(`${binary}:1: not a JSON record ("\\u0000\\u0001\\u001b[2J\\ufffd\\ufffd")`);
    expect([...r2.stderr].filter((c) => c.charCodeAt(0) < 0x20 && c !== '\n')).toEqual([]); // no raw control byte
  });

  it('an output that cannot be written is a usage error naming it, before any probe (no stack trace)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wildtls-output-'));
    const missing = join(dir, 'no-such-folder', 'out.jsonl');
    const r = await runCli(['scan', '127.0.0.1', '--protocol', 'smtp', '--port', '1', '--allow', '127.0.0.0/8', '--output', missing, '--progress', 'off'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot write the output ${missing}: its folder does not exist [WILDTLS_ERR_USAGE]`);
    expect(r.stderr).not.toContain('    at ');
    const r2 = await runCli(['scan', '127.0.0.1', '--protocol', 'smtp', '--port', '1', '--allow', '127.0.0.0/8', '--output', dir, '--progress', 'off'], { cwd: dir });
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain(`cannot write the output ${dir}: it is a folder`);
  });
});

