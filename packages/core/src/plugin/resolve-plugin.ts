import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

export type PluginSource = 'built-in' | 'node_modules' | 'path';

export interface ResolvedPlugin {
  spec: string;
  /** Absolute path of the module file to import. */
  entry: string;
  /** Package root, when the plugin is a package. */
  packageDir?: string;
  /** Its package.json, parsed (read once: the entry and the plugin manifest both come from it). */
  packageJson?: Record<string, unknown>;
  source: PluginSource;
}

function isPathSpec(spec: string): boolean {
  return spec.startsWith('.') || isAbsolute(spec) || spec.startsWith('~');
}

/** A package's package.json, parsed. */
export function readPackageJson(packageDir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as Record<string, unknown>;
}

/** The ESM entry of a package: exports["."] (import/default), then main, then index.js. */
export function packageEntry(packageDir: string, packageJson = readPackageJson(packageDir)): string {
  const pkg = packageJson as { exports?: unknown; main?: string };
  let rel: string | undefined;
  const dot = typeof pkg.exports === 'object' && pkg.exports !== null && '.' in pkg.exports
    ? (pkg.exports as Record<string, unknown>)['.']
    : pkg.exports;
  if (typeof dot === 'string') rel = dot;
  else if (dot && typeof dot === 'object') {
    const d = dot as Record<string, unknown>;
    const pick = d.import ?? d.default ?? d.node;
    rel = typeof pick === 'string' ? pick : typeof (pick as Record<string, unknown>)?.default === 'string' ? ((pick as Record<string, string>).default) : undefined;
  }
  rel ??= pkg.main ?? 'index.js';
  return resolve(packageDir, rel);
}

/**
 * Resolve a plugin named by npm package name or by path. Package names are
 * looked up in node_modules folders above each base directory in turn (the
 * config's folder, the working directory, then the CLI's own folder, whose
 * dependencies are the built-in plugins).
 */
export function resolvePlugin(spec: string, bases: { dirs: string[]; builtinDir?: string }): ResolvedPlugin | undefined {
  if (isPathSpec(spec)) {
    const base = bases.dirs[0] ?? process.cwd();
    const p = resolve(base, spec.replace(/^~/, process.env.HOME ?? '~'));
    if (!existsSync(p)) return undefined;
    if (statSync(p).isDirectory()) {
      if (existsSync(join(p, 'package.json'))) {
        const packageJson = readPackageJson(p);
        return { spec, entry: packageEntry(p, packageJson), packageDir: p, packageJson, source: 'path' };
      }
      const idx = ['index.js', 'index.mjs', 'dist/index.js'].map((f) => join(p, f)).find((f) => existsSync(f));
      return idx ? { spec, entry: idx, source: 'path' } : undefined;
    }
    return { spec, entry: p, source: 'path' };
  }
  const search = [...bases.dirs, ...(bases.builtinDir ? [bases.builtinDir] : [])];
  for (const start of search) {
    let dir = resolve(start);
    for (;;) {
      const candidate = join(dir, 'node_modules', spec);
      if (existsSync(join(candidate, 'package.json'))) {
        const source: PluginSource = bases.builtinDir && start === bases.builtinDir ? 'built-in' : 'node_modules';
        const packageJson = readPackageJson(candidate);
        return { spec, entry: packageEntry(candidate, packageJson), packageDir: candidate, packageJson, source };
      }
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return undefined;
}
