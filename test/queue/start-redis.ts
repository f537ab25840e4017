import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startForeground, stopPid, waitForPort, type Daemon } from '../harness/daemon.js';
import { BIN, ROOT } from '../cli/run-cli.js';

export const REDIS_SERVER = '/usr/bin/redis-server';

/** A port the kernel says is free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RedisInstance extends Daemon {
  port: number;
  /** redis://127.0.0.1:PORT/0 (no credentials). */
  url: string;
}

/**
 * redis-server from the Debian package on 127.0.0.1 and a free port, in the
 * foreground, its data (appendonly file) in `dir`; stopped by pid. `extra`
 * adds config arguments (--requirepass, --user, --tls-port...).
 */
export async function startRedis(dir: string, extra: string[] = [], port?: number): Promise<RedisInstance> {
  const p = port ?? (await freePort());
  const plain = !extra.includes('--tls-port');
  const d = startForeground(REDIS_SERVER, ['--bind', '127.0.0.1', '--port', plain ? String(p) : '0', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--protected-mode', 'no', ...extra], { cwd: dir });
  try {
    await waitForPort('127.0.0.1', plain ? p : Number(extra[extra.indexOf('--tls-port') + 1]), 10_000);
  } catch (err) {
    await d.stop();
    throw new Error(`redis-server did not start: ${(err as Error).message}\n${d.output()}`);
  }
  return { ...d, port: p, url: `redis://127.0.0.1:${p}/0` };
}

/** A `wildtls` child process (the real CLI) whose output is collected; killable by pid. */
export interface CliProcess {
  child: ChildProcess;
  pid: number;
  output(): string;
  done: Promise<number>;
}

export function startCli(args: string[], cwd: string, env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: cwd ?? ROOT, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const done = new Promise<number>((resolve) => child.on('close', (code, signal) => resolve(code ?? (signal ? 128 + 9 : -1))));
  return { child, pid: child.pid ?? -1, output: () => out, done };
}

/** Wait for the process to end, at most `ms`; SIGKILL it (by pid) after that and throw. */
export async function finished(p: CliProcess, ms: number, what: string): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)));
  const res = await Promise.race([p.done, timeout]);
  clearTimeout(timer);
  if (res === 'timeout') {
    await stopPid(p.pid, 100);
    throw new Error(`${what} did not finish in ${ms} ms\n${p.output()}`);
  }
  return res;
}

export const redisDir = (dir: string) => join(dir, 'redis');
