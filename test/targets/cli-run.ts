import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

export const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
export const CLI = resolve(ROOT, 'packages/cli/bin/run.js');
export const BANNER_PLUGIN = resolve(ROOT, 'test/fixtures/targets/banner-plugin.mjs');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run the wildtls CLI as a child process; `onStart` may kill it. Bounded by `timeoutMs`. */
export function runCli(args: string[], opts: { cwd: string; timeoutMs?: number; env?: Record<string, string>; onStart?: (child: ChildProcess) => void }): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'], ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
    opts.onStart?.(child);
  });
}
