import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * oclif's command manifest (oclif.manifest.json beside package.json): with it,
 * oclif lists the commands and prints help from the file and imports only the
 * command that runs; without it, every start imports every command's code
 * (vega, resvg, the report and demo code for a one-target scan).
 *
 * The file is a cache of what the build made, so it must never be stale (a
 * new or changed command hidden behind an old file). It records a fingerprint
 * of package.json and every .js file under dist/; bin/run.js compares it at
 * each start (1-5 ms of CPU: 45 small files hashed) and rewrites the manifest
 * when it differs, e.g. after a developer's `npx tsc -b`. `npm run build` and
 * prepack write it too, so the published package carries a current one.
 */
export const MANIFEST_FILE = 'oclif.manifest.json';

/** Every .js file under dir, relative paths, sorted (no recursive readdir: Node 20.0 lacks it). */
function jsFiles(dir: string, prefix = ''): string[] {
  let entries;
  try {
    entries = readdirSync(join(dir, prefix), { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...jsFiles(dir, rel));
    else if (e.name.endsWith('.js')) out.push(rel);
  }
  return out.sort();
}

/** sha256 over package.json and each dist .js file (path and content): what the manifest was made from. */
export function buildFingerprint(cliRoot: string): string {
  const hash = createHash('sha256');
  hash.update(readFileSync(join(cliRoot, 'package.json')));
  const dist = join(cliRoot, 'dist');
  for (const rel of jsFiles(dist)) {
    hash.update(`\0${rel}\0`);
    hash.update(readFileSync(join(dist, rel)));
  }
  return hash.digest('hex');
}

/** True when the manifest exists and was made from the package as it is now. */
export function manifestIsCurrent(cliRoot: string): boolean {
  let saved: unknown;
  try {
    saved = (JSON.parse(readFileSync(join(cliRoot, MANIFEST_FILE), 'utf8')) as { wildtls?: { fingerprint?: unknown } }).wildtls?.fingerprint;
  } catch {
    return false;
  }
  return saved === buildFingerprint(cliRoot);
}

/**
 * Write the manifest from the commands on disk (oclif's own generator, the
 * one `oclif manifest` uses), atomically: CLI processes started together may
 * all find it stale. A command that fails to load is an error here, not a
 * command silently left out.
 */
export async function writeManifest(cliRoot: string): Promise<string[]> {
  const { Plugin } = await import('@oclif/core');
  const plugin = new Plugin({ root: cliRoot, isRoot: true, type: 'core', ignoreManifest: true, errorOnManifestCreate: true, respectNoCacheDefault: true });
  await plugin.load();
  const manifest = { ...plugin.manifest, wildtls: { fingerprint: buildFingerprint(cliRoot) } };
  const target = join(cliRoot, MANIFEST_FILE);
  const temp = `${target}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(temp, target);
  return Object.keys(plugin.manifest.commands).sort();
}

/**
 * At start: leave a current manifest alone; otherwise rewrite it, or, where
 * that is impossible (a read-only install, a command that fails to load),
 * remove it so that oclif finds the commands itself (slower, never wrong)
 * and reports a broken command in its usual way.
 */
export async function ensureManifest(cliRoot: string): Promise<void> {
  if (manifestIsCurrent(cliRoot)) return;
  try {
    await writeManifest(cliRoot);
  } catch {
    rmSync(join(cliRoot, `${MANIFEST_FILE}.${process.pid}.tmp`), { force: true });
    try {
      rmSync(join(cliRoot, MANIFEST_FILE), { force: true });
    } catch {
      // Neither writable nor removable: an install nobody can have changed since it was packed.
    }
  }
}
