import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../cli/run-cli.js';

/**
 * A copy of the checkout's workspace as npm packs it (root package.json, each
 * package with its build, templates/), without node_modules. Packing and
 * publishing run in the copy: @wildtls/cli's prepack/postpack then write and
 * remove templates/ there, never in the checkout, where another test file
 * running in parallel may be packing the same package.
 */
export function copyWorkspace(dest: string): Map<string, string> {
  const skip = /[\\/](node_modules|\.git)$|\.tsbuildinfo$/;
  cpSync(join(ROOT, 'package.json'), join(dest, 'package.json'));
  cpSync(join(ROOT, '.npmrc'), join(dest, '.npmrc'));
  cpSync(join(ROOT, 'templates'), join(dest, 'templates'), { recursive: true, filter: (src) => !skip.test(src) && !/[\\/]dist$/.test(src) });
  const dirs = new Map<string, string>();
  for (const rel of workspaceDirs()) {
    cpSync(join(ROOT, rel), join(dest, rel), { recursive: true, filter: (src) => !skip.test(src) });
    dirs.set((JSON.parse(readFileSync(join(ROOT, rel, 'package.json'), 'utf8')) as { name: string }).name, join(dest, rel));
  }
  return dirs;
}

/** The workspace folders, relative to the root, from the root package.json's patterns (`dir` or `dir/*`). */
export function workspaceDirs(): string[] {
  const patterns = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
  return patterns.flatMap((p) =>
    p.endsWith('/*')
      ? readdirSync(join(ROOT, p.slice(0, -2)), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `${p.slice(0, -2)}/${e.name}`)
      : [p],
  );
}
