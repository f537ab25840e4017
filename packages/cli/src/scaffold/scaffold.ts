import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The words a template uses for what `wildtls plugins new` fills in. */
export interface TemplateValues {
  /** Plugin id and service name: lower-case, e.g. "ftp". */
  name: string;
  /** npm package name, e.g. "wildtls-protocol-ftp". */
  packageName: string;
  /** Default port of the protocol's first service. */
  port: number;
  /** @wildtls/core version for the peer dependency range (^x.y.z). */
  coreVersion: string;
  /** What the devDependency on @wildtls/core says: a range, or file:<checkout>. */
  coreDevSpec: string;
}

export const PLUGIN_NAME = /^[a-z][a-z0-9-]*[a-z0-9]$|^[a-z]$/;

/** "my-proto" → "myProto" (camel) and "MyProto" (Pascal), for identifiers in the code. */
export function identifiers(name: string): { camel: string; pascal: string } {
  const parts = name.split('-').filter(Boolean);
  const pascal = parts.map((p) => p[0]!.toUpperCase() + p.slice(1)).join('');
  return { camel: pascal[0]!.toLowerCase() + pascal.slice(1), pascal };
}

export function substitute(text: string, v: TemplateValues): string {
  const { camel, pascal } = identifiers(v.name);
  const words: Record<string, string> = {
    __NAME__: v.name,
    __PACKAGE__: v.packageName,
    __PORT__: String(v.port),
    __CAMEL__: camel,
    __PASCAL__: pascal,
    __CORE_VERSION__: v.coreVersion,
    __CORE_DEV_SPEC__: v.coreDevSpec,
  };
  return text.replace(/__[A-Z_]+?__/g, (w) => words[w] ?? w);
}

/** npm drops .gitignore files from published packages, so templates store it as _gitignore. */
function targetName(name: string): string {
  return name === '_gitignore' ? '.gitignore' : name;
}

/** Copy a template folder to `dest`, filling in the values; returns the files written (relative). */
export function scaffold(templateDir: string, dest: string, values: TemplateValues): string[] {
  const written: string[] = [];
  const walk = (from: string, to: string) => {
    mkdirSync(to, { recursive: true });
    for (const entry of readdirSync(from).sort()) {
      if (entry === 'node_modules' || entry === 'dist') continue;
      const src = join(from, entry);
      const out = join(to, targetName(entry));
      if (statSync(src).isDirectory()) walk(src, out);
      else {
        writeFileSync(out, substitute(readFileSync(src, 'utf8'), values));
        written.push(relative(dest, out));
      }
    }
  };
  walk(templateDir, dest);
  return written;
}

/** True when dest can be written: it does not exist or is an empty folder. */
export function isFreeDir(dest: string): boolean {
  return !existsSync(dest) || (statSync(dest).isDirectory() && readdirSync(dest).length === 0);
}
