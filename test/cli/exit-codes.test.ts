import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runCli } from './run-cli.js';

// No config file in these folders: the built-in plugins load. Nothing here listens (127.0.64.0/24 is this suite's range).
const dir = () => mkdtempSync(join(tmpdir(), 'wildtls-exit-'));
const quiet = ['--progress', 'off', '--log-level', 'warn'];
const noStack = (text: string) => expect(text).not.toMatch(/^\s+at /m);

describe('a scan that cannot do what was asked exits non-zero with one line naming the cause and the fix', () => {
  it('every target excluded (loopback without --allow): exit 2, names --allow 127.0.0.0/8', async () => {
    const r = await runCli(['scan', '127.0.64.1', '-p', 'smtp', ...quiet], { cwd: dir() });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('wildtls: nothing was scanned: all 1 target address is excluded by the blocklist (IANA special-purpose ranges, --blocklist, --allowlist); loopback needs --allow 127.0.0.0/8 [WILDTLS_ERR_TARGET]\n');
  });

  it('invalid targets: exit 2 before any probe, naming the first ones; one invalid among valid ones stops the scan too', async () => {
    const r = await runCli(['scan', '10.0.0.0/33', '300.1.2.3', ...quiet, '-p', 'smtp'], { cwd: dir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('wildtls: invalid targets: target 1 "10.0.0.0/33" (not an IPv4 range (prefix length 0-32)); target 2 "300.1.2.3" (not an IPv4 address (four decimal numbers 0-255)). Targets are ADDR, CIDR, HOST, ADDR:PORT, [IPv6]:PORT, HOST:PORT or IP,DOMAIN (docs/targets.md); nothing was scanned [WILDTLS_ERR_TARGET]\n');
    const d = dir();
    writeFileSync(join(d, 'targets.txt'), '127.0.64.1\n# a comment\n127.0.64.2:99999\n');
    const r2 = await runCli(['scan', '--input', 'targets.txt', '-p', 'smtp', '--allow', '127.0.0.0/8', ...quiet], { cwd: d });
    expect(r2.code).toBe(2);
    expect(r2.stdout).toBe(''); // not one record
    expect(r2.stderr).toContain('wildtls: invalid target: targets.txt:3 "127.0.64.2:99999" (bad port "99999" (1-65535))');
  });

  it('no target and no --input: exit 2 naming the fix', async () => {
    const r = await runCli(['scan', '-p', 'smtp', ...quiet], { cwd: dir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('wildtls: no targets: give addresses, ranges or host names as arguments (wildtls scan 192.0.2.0/24 -p smtp), or --input FILE ("-" for stdin) [WILDTLS_ERR_USAGE]\n');
  });

  it('--input of a missing file: exit 2 naming the file and the flag', async () => {
    const r = await runCli(['scan', '--input', 'nonexistent.txt', '-p', 'smtp', ...quiet], { cwd: dir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('wildtls: cannot read the target input nonexistent.txt (--input / scan.input): no such file [WILDTLS_ERR_USAGE]\n');
    const d = dir();
    const folder = await runCli(['scan', '--input', d, '-p', 'smtp', ...quiet], { cwd: d });
    expect(folder.code).toBe(2);
    expect(folder.stderr).toBe(`wildtls: cannot read the target input ${d} (--input / scan.input): it is a folder [WILDTLS_ERR_USAGE]\n`);
  }, 120_000);

  it('a scan that ran exits 0, even when some targets were excluded', async () => {
    // Both loopback (the network rule): only 127.0.64.1 is allowed, so the default blocklist keeps 127.0.64.2 out.
    const r = await runCli(['scan', '127.0.64.1:1', '127.0.64.2', '-p', 'smtp', '--allow', '127.0.64.1/32', ...quiet], { cwd: dir() });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ip: '127.0.64.1', port: 1, status: 'connect-failed' });
    expect(r.stderr).toMatch(/excluded by blocklist: 1/);
  });

  it('-p smtp -p imap --port 2525 --port 1143 is exit 2 pointing to SERVICE=PORT', async () => {
    const r = await runCli(['scan', '127.0.64.1', '-p', 'smtp', '-p', 'imap', '--port', '2525', '--port', '1143', '--allow', '127.0.0.0/8', ...quiet], { cwd: dir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('wildtls: --port 2525 --port 1143 with -p smtp -p imap would probe every port with every service (4 probes per address); for one port per service use --port smtp=2525 --port imap=1143; for every combination, --set scan.ports=[2525,1143] [WILDTLS_ERR_USAGE]\n');
  });
});

describe('stdout closed by its reader (wildtls scan ... | head -1)', () => {
  it('stops admission and exits 0 without an error or a stack', async () => {
    // A real pipe whose reader closes after the first line, as head -1 does.
    const child = spawn(process.execPath, [BIN, 'scan', '127.0.64.0/24', '-p', 'smtp', '--port', '1', '--allow', '127.0.0.0/8', '--rate', '200', '--concurrency', '2', ...quiet], { cwd: dir(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let first = '';
    child.stdout.on('data', (d) => {
      first ||= String(d).split('\n')[0]!;
      child.stdout.destroy();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    expect(JSON.parse(first)).toMatchObject({ port: 1, service: 'smtp' });
    expect(code).toBe(0);
    expect(stderr).not.toMatch(/EPIPE|sinks failed|Error/);
    noStack(stderr);
  });
});
