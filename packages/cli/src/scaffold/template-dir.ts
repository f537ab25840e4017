import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CLI_DIR } from '../load-run.js';

export type TemplateKind = 'protocol' | 'analysis';

/**
 * Where the plugin templates are. An installed @wildtls/cli ships them in its
 * own `templates/` folder (copied there by the `prepack` script, listed in
 * "files"); in a wildtls checkout they are read from the repository's top-level
 * `templates/`, so edits to a template show up without a copy step.
 */
export function templateDir(kind: TemplateKind, cliDir = CLI_DIR): string {
  const candidates = [resolve(cliDir, 'templates', `${kind}-plugin`), resolve(cliDir, '../../templates', `${kind}-plugin`)];
  const found = candidates.find((c) => existsSync(resolve(c, 'package.json')));
  if (!found) throw new Error(`the ${kind} plugin template is missing (looked in ${candidates.join(', ')}); reinstall @wildtls/cli`);
  return found;
}
