#!/usr/bin/env node
// Bundles a wildtls package's public entries into bundle/ from tsc's dist/:
// ESM with shared chunks, so a process holds one copy of a package whichever
// of its entries it loads. Node 20's ESM loader costs about a millisecond per
// module, and core with TypeBox is ~380 of them; one file loads in a fraction
// of that (docs/architecture.md, "CLI start-up"). dist/ is left as tsc wrote
// it (tsc -b is incremental: a file it writes must stay its own), and the
// package's "exports" point at bundle/. What to bundle is the package.json's
// "wildtlsBundle": { "entries": { name: "dist/file.js" }, "inline": [...] }:
// `inline` lists the dependencies inlined (core: TypeBox and the other pure-JS
// ones); every other bare import stays an import (a plugin's @wildtls/core).
//
//   node packages/core/scripts/bundle.mjs [--if-stale] [PACKAGE_DIR...]   (default: core)
//
// `npm run build` runs it after tsc; each package's prepack runs it with
// --if-stale; the CLI's bin/run.js and the tests' globalSetup call
// ensureBundles() so that a developer who ran only `npx tsc -b` never gets an
// old bundle (check-fresh.mjs refuses one for everyone else).
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { distFingerprint, distStatSignature } from './bundle-fingerprint.mjs';

export const CORE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLE_DIR = 'bundle';
const FINGERPRINT_FILE = 'dist-fingerprint.txt';
// Roots whose bundle this thread has found current: check-fresh.mjs skips them (one hash per start).
const CHECKED = Symbol.for('wildtls.bundles-checked');

/** The package's "wildtlsBundle", or undefined when it ships no bundle. */
export function bundleSpec(root) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return pkg.wildtlsBundle;
}

/** What the saved fingerprint file says: the content fingerprint of dist/ the bundle was made from, and a stat signature. */
function saved(root) {
  try {
    const [content, stat] = readFileSync(join(root, BUNDLE_DIR, FINGERPRINT_FILE), 'utf8').split('\n');
    return { content, stat };
  } catch {
    return undefined;
  }
}

function writeFingerprint(root, content, stat) {
  const target = join(root, BUNDLE_DIR, FINGERPRINT_FILE);
  const temp = `${target}.${process.pid}.tmp`;
  writeFileSync(temp, `${content}\n${stat}\n`);
  renameSync(temp, target);
}

/**
 * True when every entry exists and was built from dist/ as it is now. The
 * stat signature answers most starts (a few ms); when it differs the content
 * decides, and a current bundle gets the new signature saved (best effort).
 */
export function bundleIsCurrent(root = CORE_ROOT) {
  const spec = bundleSpec(root);
  if (!spec || !Object.keys(spec.entries).every((out) => existsSync(join(root, BUNDLE_DIR, `${out}.js`)))) return false;
  const was = saved(root);
  if (!was) return false;
  const dist = join(root, 'dist');
  const stat = distStatSignature(dist);
  if (stat === was.stat) return true;
  const content = distFingerprint(dist);
  if (content === '' || content !== was.content) return false;
  try {
    writeFingerprint(root, content, stat);
  } catch {
    // A read-only copy: the content check runs again next time.
  }
  return true;
}

/**
 * Build bundle/ from dist/. Files are written under temporary names and
 * renamed, chunks before the entries that import them, so a process starting
 * meanwhile loads either the old bundle or the new one, never half of one.
 */
export async function buildBundle(root = CORE_ROOT) {
  const spec = bundleSpec(root);
  if (!spec) throw new Error(`${root}/package.json has no "wildtlsBundle"`);
  const esbuild = await import('esbuild');
  // The signature before the content: a file tsc rewrites meanwhile then fails the signature next time.
  const statSignature = distStatSignature(join(root, 'dist'));
  const fingerprint = distFingerprint(join(root, 'dist'));
  if (fingerprint === '') throw new Error(`${root}/dist has no .js files: run \`npx tsc -b\` first`);
  const entryPlugin = {
    name: 'wildtls-entries',
    setup(build) {
      build.onResolve({ filter: /^wildtls-entry:/ }, (args) => ({ path: args.path.slice('wildtls-entry:'.length), namespace: 'wildtls-entry' }));
      build.onLoad({ filter: /.*/, namespace: 'wildtls-entry' }, (args) => {
        // check-fresh.mjs first: it refuses a bundle older than dist/ before the importer gets anything.
        const fresh = JSON.stringify(fileURLToPath(new URL('./check-fresh.mjs', import.meta.url)));
        const file = join(root, spec.entries[args.path]);
        const target = JSON.stringify(file);
        // `export *` leaves out a default export (a plugin's plugin object): re-export it by name (tsc's output spells it so).
        const withDefault = /\bexport default\b|\bas default\b/.test(readFileSync(file, 'utf8')) ? `export { default } from ${target};\n` : '';
        return { contents: `import ${fresh};\nexport * from ${target};\n${withDefault}`, resolveDir: root, loader: 'js' };
      });
    },
  };
  const result = await esbuild.build({
    entryPoints: Object.keys(spec.entries).map((out) => ({ in: `wildtls-entry:${out}`, out })),
    absWorkingDir: root,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir: join(root, BUNDLE_DIR),
    chunkNames: 'chunk-[hash]',
    plugins: [entryPlugin, externalPlugin(root, spec.inline ?? [])],
    define: { __WILDTLS_DIST_FINGERPRINT__: JSON.stringify(fingerprint) },
    // Inlined CommonJS dependencies (tsyringe, ipaddr.js...) call require() for Node's own modules.
    ...(spec.inline?.length ? { banner: { js: "import { createRequire as __wildtlsCreateRequire } from 'node:module'; const require = __wildtlsCreateRequire(import.meta.url);" } } : {}),
    legalComments: 'none',
    logLevel: 'silent',
    write: false,
  });
  const dir = join(root, BUNDLE_DIR);
  mkdirSync(dir, { recursive: true });
  const isEntry = (path) => Object.keys(spec.entries).some((out) => basename(path) === `${out}.js`);
  const ordered = [...result.outputFiles.filter((f) => !isEntry(f.path)), ...result.outputFiles.filter((f) => isEntry(f.path))];
  for (const f of ordered) {
    const temp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(temp, f.contents);
    renameSync(temp, f.path);
  }
  writeFingerprint(root, fingerprint, statSignature);
  // Chunks of earlier builds: removed once they are a minute old (a process that started just before
  // the renames may still be loading them).
  const written = new Set(result.outputFiles.map((f) => basename(f.path)));
  for (const name of readdirSync(dir)) {
    if (!name.startsWith('chunk-') || written.has(name)) continue;
    const path = join(dir, name);
    if (Date.now() - statSync(path).mtimeMs > 60_000) rmSync(path, { force: true });
  }
  return result.outputFiles.map((f) => basename(f.path));
}

/** Every bare import stays an import except the packages in `inline` (and their own files). */
function externalPlugin(root, inline) {
  return {
    name: 'wildtls-external',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('wildtls-entry:')) return undefined;
        const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
        // Inlined: a listed package, or what such a package imports in turn (an importer that is not
        // the package's own file: outside root, or in a node_modules below it).
        const rel = relative(root, args.importer);
        const fromDependency = rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('node_modules');
        if (inline.includes(name) || (fromDependency && !args.path.startsWith('node:') && !EXTERNAL_ALWAYS.includes(name))) return undefined;
        return { path: args.path, external: true };
      });
    },
  };
}
// Never inlined, even when an inlined package imports them: core's own lazily loaded or native dependencies.
const EXTERNAL_ALWAYS = ['@duckdb/node-api', 'pino', 'cosmiconfig', 'yaml', 'cli-progress', 'ajv', 'ajv-formats'];

/**
 * At start, from a checkout: rebuild a stale bundle. A published package (no
 * src/, no esbuild) has its bundle from pack time and is left alone.
 */
export async function ensureBundle(root = CORE_ROOT) {
  if (existsSync(join(root, 'src')) && bundleSpec(root) && !bundleIsCurrent(root)) await buildBundle(root);
  (globalThis[CHECKED] ??= new Set()).add(resolve(root));
}

/**
 * What bin/run.js calls: core and every @wildtls package the CLI at cliRoot
 * depends on (the built-in plugins), each ensured as above.
 */
export async function ensureBundles(cliRoot) {
  const requireFromCli = createRequire(join(cliRoot, 'package.json'));
  const deps = Object.keys(JSON.parse(readFileSync(join(cliRoot, 'package.json'), 'utf8')).dependencies ?? {});
  const roots = [CORE_ROOT, ...deps.filter((d) => d.startsWith('@wildtls/') && d !== '@wildtls/core').map((d) => dirname(requireFromCli.resolve(`${d}/package.json`)))];
  for (const root of roots) await ensureBundle(root);
}

const args = process.argv.slice(2);
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const roots = args.filter((a) => !a.startsWith('--')).map((d) => resolve(d));
  for (const root of roots.length ? roots : [CORE_ROOT]) {
    if (!bundleSpec(root)) continue;
    if (args.includes('--if-stale') && bundleIsCurrent(root)) continue;
    try {
      const files = await buildBundle(root);
      console.log(`${bundleSpec(root) && JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).name} bundle: ${files.length} files`);
    } catch (err) {
      console.error(`bundle ${root}: ${err.message}`);
      process.exit(1);
    }
  }
}
