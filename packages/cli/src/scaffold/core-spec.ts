import { readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';

export interface CoreSpec {
  version: string;
  /** The devDependency spec a new plugin gets. */
  devSpec: string;
  /** Set when the spec links a local checkout rather than the npm registry. */
  linkedFrom?: string;
}

/**
 * Which @wildtls/core a new plugin develops against. When this CLI runs from an
 * npm install, core came from the registry: the plugin gets ^<version>. When it
 * runs from a wildtls checkout (core is a workspace folder, not under
 * node_modules), the plugin links that folder (file:), so it builds and tests
 * against exactly the core the CLI uses, with no registry fetch for core.
 */
export function detectCore(override?: string): CoreSpec {
  const pkgJson = realpathSync(createRequire(import.meta.url).resolve('@wildtls/core/package.json'));
  const { version } = JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string };
  if (override) {
    const isPath = /^(\.|\/|~|file:)/.test(override);
    return { version, devSpec: isPath && !override.startsWith('file:') ? `file:${override}` : override, ...(isPath ? { linkedFrom: override.replace(/^file:/, '') } : {}) };
  }
  const dir = dirname(pkgJson);
  if (dir.split(sep).includes('node_modules')) return { version, devSpec: `^${version}` };
  return { version, devSpec: `file:${dir}`, linkedFrom: dir };
}
