import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli } from './run-cli.js';
import { listenOn } from '../harness/listen.js';

// What a user sees on stderr (issue 20, item 4): human lines by default, progress
// at any log level unless --quiet, one summary, JSON lines only with --log-format json.
// The server accepts and never speaks, so each probe lasts its read timeout and progress has time to show.
const HOST = '127.0.65.1';
let server: Server;
let port = 0;
const sockets = new Set<Socket>();
let dir = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wildtls-human-output-'));
  server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  await listenOn(server, 0, HOST);
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const scanArgs = (readMs: number) => ['scan', HOST, '-p', 'smtp', '--port', String(port), '--allow', '127.0.0.0/8', '--read-timeout', String(readMs), '--workers', '1'];
const count = (text: string, needle: string) => text.split(needle).length - 1;

describe('scan output on stderr', () => {
  it('--progress log --log-level warn still shows progress lines, human, and one summary', async () => {
    const r = await runCli([...scanArgs(1200), '--progress', 'log', '--set', 'scan.progressInterval=200', '--log-level', 'warn']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"status":"timeout"');
    expect(r.stderr).toMatch(/^wildtls: progress: 0\/1 positions \(0%\) \| 0 probes \| 0\.0\/s \| ETA \? \| - \| excluded 0$/m);
    expect(count(r.stderr, 'wildtls: 1 probes of 1 targets')).toBe(1);
    expect(r.stderr).not.toContain('{');
  });

  it('--log-format json makes every stderr line a JSON object: logs, progress and the summary (once)', async () => {
    const r = await runCli([...scanArgs(1200), '--progress', 'log', '--set', 'scan.progressInterval=200', '--log-format', 'json']);
    expect(r.code).toBe(0);
    const lines = r.stderr.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.msg === 'scan starting')).toMatchObject({ level: 30, name: 'wildtls', source: 'cidr' });
    expect(lines.filter((l) => l.msg === 'progress').length).toBeGreaterThan(0);
    expect(lines.find((l) => l.msg === 'progress')).toMatchObject({ component: 'progress', done: 0, total: 1 });
    const summaries = lines.filter((l) => l.summary !== undefined);
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({ msg: 'scan finished', summary: { targets: 1, probes: 1, byStatus: { timeout: 1 } } });
  });

  it('by default a log line is one human line, `wildtls: LEVEL: message (fields)`', async () => {
    const r = await runCli([...scanArgs(200), '--progress', 'off']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^wildtls: info: scan starting \(source=cidr seed=\d+ shards=1 shard=0 rate=100 concurrency=100 workers=1\)$/m);
    expect(count(r.stderr, 'probes of 1 targets')).toBe(1);
    expect(r.stderr).not.toContain('{');
  });

  it('--quiet prints neither progress nor summary nor info lines', async () => {
    const r = await runCli([...scanArgs(800), '--progress', 'log', '--set', 'scan.progressInterval=100', '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"status":"timeout"');
    expect(r.stderr).toBe('');
  });

  it('on a terminal: a progress bar, then the summary once (it was printed twice: the log repeated it)', async () => {
    const out = join(dir, 'tty.jsonl');
    const cmd = [process.execPath, BIN, ...scanArgs(2500), '-o', out].join(' ');
    // script(1) gives the command a pseudo-terminal, as a user's shell would.
    const text = await new Promise<string>((resolve, reject) => {
      const child = spawn('script', ['-qec', cmd, '/dev/null'], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let data = '';
      child.stdout.on('data', (d) => (data += d));
      child.stderr.on('data', (d) => (data += d));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`no exit in time: ${data}`));
      }, 30_000);
      child.on('error', reject);
      child.on('close', () => {
        clearTimeout(timer);
        resolve(data);
      });
    });
    expect(text).toMatch(/\d+\/1 positions \| \d+ probes \| [\d.]+\/s \| ETA/);
    expect(count(text, 'probes of 1 targets')).toBe(1);
    expect(text).not.toContain('scan finished');
  });
});
