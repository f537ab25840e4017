import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * npm packages that add commands to `wildtls`: dependencies of the project in
 * `cwd` whose package.json has an "oclif" section and the keyword
 * "wildtls-commands". They are loaded with oclif's own plugin mechanism, so a
 * package adds commands exactly as it would to any oclif CLI.
 */
export function commandPlugins(cwd: string): string[] {
  let deps: Record<string, string>;
  try {
    deps = (JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {};
  } catch {
    return [];
  }
  return Object.keys(deps).filter((name) => {
    const pj = join(cwd, 'node_modules', name, 'package.json');
    if (!existsSync(pj)) return false;
    try {
      const pkg = JSON.parse(readFileSync(pj, 'utf8')) as { oclif?: unknown; keywords?: string[] };
      return Boolean(pkg.oclif) && (pkg.keywords ?? []).includes('wildtls-commands');
    } catch {
      return false;
    }
  });
}
