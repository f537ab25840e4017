import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative, resolve } from 'node:path';
import { ROOT } from '../cli/run-cli.js';

/**
 * Helpers for the authoring tests: a plugin package scaffolded by the CLI into
 * a folder outside the repository, its development dependencies linked from
 * this checkout (no registry fetch: CI time matters), built and tested with its
 * own scripts as its author would.
 */

export const EXAMPLES = resolve(ROOT, 'docs/examples');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a command, bounded in time; never throws for a non-zero exit. */
export function run(cmd: string, args: string[], opts: { cwd: string; timeoutMs?: number; env?: NodeJS.ProcessEnv }): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')} did not finish in ${opts.timeoutMs ?? 120_000} ms\n${stdout}\n${stderr}`));
    }, opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** Throw with the output when a command failed. */
export function ok(r: RunResult, what: string): RunResult {
  if (r.code !== 0) throw new Error(`${what} exited with ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  return r;
}

/**
 * The devDependencies a scaffolded plugin declares, linked from this checkout:
 * what `npm install` would put in node_modules (with @wildtls/core linked from
 * packages/core, as the scaffold does in a checkout), without a network fetch.
 */
export function linkDevDependencies(dir: string): void {
  const nm = join(dir, 'node_modules');
  mkdirSync(join(nm, '@wildtls'), { recursive: true });
  mkdirSync(join(nm, '@types'), { recursive: true });
  mkdirSync(join(nm, '.bin'), { recursive: true });
  symlinkSync(resolve(ROOT, 'packages/core'), join(nm, '@wildtls/core'), 'dir');
  for (const p of ['typescript', 'vitest', '@types/node']) symlinkSync(resolve(ROOT, 'node_modules', p), join(nm, p), 'dir');
  symlinkSync('../typescript/bin/tsc', join(nm, '.bin/tsc'));
  symlinkSync('../vitest/vitest.mjs', join(nm, '.bin/vitest'));
}

/** Files of a folder, relative, sorted (node_modules and dist left out). */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      if (e === 'node_modules' || e === 'dist') continue;
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** Replace the scaffold's src/ and test/ with the finished example's, as its author's edits. */
export function applyExample(dir: string, example: string): void {
  for (const sub of ['src', 'test']) {
    rmSync(join(dir, sub), { recursive: true, force: true });
    if (existsSync(join(example, sub))) cpSync(join(example, sub), join(dir, sub), { recursive: true });
  }
  cpSync(join(example, 'README.md'), join(dir, 'README.md'));
}

/** A package.json: the tests read its devDependencies and compare the rest whole. */
export interface PackageJson {
  devDependencies: Record<string, string>;
  [field: string]: unknown;
}

export function readJson(file: string): PackageJson {
  return JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
}

/** A free TCP port on 127.0.0.1 (asked from the kernel, then released for a daemon to bind). */
export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolvePromise(port));
    });
  });
}

/** The node binary running the CLI, and npm next to it. */
export const NODE = process.execPath;
export const NPM = 'npm';
