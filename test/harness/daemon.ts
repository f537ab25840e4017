import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DAEMONS, requireBinary } from './require-binary.js';

/**
 * Start and stop real server software on loopback for tests. Every daemon runs
 * from a config in a temporary directory, bound to one loopback address, and is
 * stopped by its pid (never by name), so a test stops exactly what it started.
 */

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `wildtls-${prefix}-`));
}

/**
 * Kept for suites written before require-binary.ts; it behaves the same: call
 * it where vitest collects (`describe.runIf(haveBinary(path))`). A missing
 * binary fails the file (or, with WILDTLS_ALLOW_MISSING_SERVERS=1, skips it
 * loudly); it never turns a suite into a silent pass.
 */
export function haveBinary(path: string): boolean {
  const known = Object.values(DAEMONS).find((d) => d.path === path);
  return requireBinary(path, known?.pkg ?? `the one that provides it (dpkg -S ${path})`);
}

/** Wait until host:port accepts a TCP connection. */
export async function waitForPort(host: string, port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host, port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface Daemon {
  pid: number;
  stop(): Promise<void>;
  /** Output collected so far (for failure messages). */
  output(): string;
}

/** Run a foreground daemon; stop() sends SIGTERM then SIGKILL to its pid. */
export function startForeground(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Daemon {
  // Run in a temp folder by default: a crashing daemon must not drop a core file into the repository.
  const child: ChildProcess = spawn(cmd, args, { cwd: opts.cwd ?? tmpdir(), env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  return {
    pid: child.pid ?? -1,
    output: () => out,
    stop: () => stopPid(child.pid ?? -1),
  };
}

/** Stop a daemon that forked into the background, by the pid in its pid file. */
export function daemonFromPidFile(pidFile: string, output = () => ''): Daemon {
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return { pid, output, stop: () => stopPid(pid) };
}

export async function stopPid(pid: number, graceMs = 3000): Promise<void> {
  if (pid <= 0) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Wait until a daemon started from a temp folder listens on every endpoint.
 * On failure it is stopped, its folder removed, and the error carries its
 * output. The returned daemon's stop() also removes the folder.
 */
export async function whenListening(name: string, d: Daemon, dir: string, endpoints: Array<[host: string, port: number]>, timeoutMs?: number): Promise<Daemon> {
  const stop = async () => {
    await d.stop();
    removeDir(dir);
  };
  try {
    for (const [host, port] of endpoints) await waitForPort(host, port, timeoutMs);
  } catch (err) {
    const out = d.output();
    await stop();
    throw new Error(`${name} did not start: ${(err as Error).message}\n${out}`);
  }
  return { ...d, stop };
}
