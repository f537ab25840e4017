#!/usr/bin/env node
// Bundles @wildtls/core's public entries into bundle/: `.` (index.js),
// `./testing` (testing.js) and the probe worker's entry (probe-worker.js),
// ESM with shared chunks, so a process holds one copy of core whichever
// entries it loads. Node 20's ESM loader costs about a millisecond per module,
// and core with TypeBox is ~380 of them; one file with the pure-JS
// dependencies inlined loads in a fraction of that (docs/architecture.md,
// "CLI start-up"). tsc's dist/ is the input and is left as tsc wrote it (tsc -b
// is incremental: a file it writes must stay its own). package.json's
// "exports" point at bundle/.
//
//   node scripts/bundle.mjs [--if-stale]
//
// `npm run build` runs it after tsc; prepack runs it with --if-stale; the
// CLI's bin/run.js and the tests' globalSetup call ensureBundle() so that a
// developer who ran only `npx tsc -b` never gets an old bundle (check-fresh.mjs
// refuses one for everyone else).
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { distFingerprint } from './bundle-fingerprint.mjs';

export const CORE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLE_DIR = 'bundle';
const FINGERPRINT_FILE = 'dist-fingerprint.txt';

// Left to be loaded at run time: a native addon (duckdb), modules that load
// files or workers by path (pino's transports), and the ones core already
// loads lazily with createRequire or import() (cosmiconfig, yaml,
// cli-progress, ajv), which the bundle would otherwise load at every start.
const EXTERNAL = ['@duckdb/node-api', 'pino', 'cosmiconfig', 'yaml', 'cli-progress', 'ajv', 'ajv-formats'];

// Output name -> tsc output it is made from; `fresh`: starts with check-fresh.mjs.
const ENTRIES = [
  { out: 'index', from: 'dist/index.js', fresh: true },
  { out: 'testing', from: 'dist/testing/index.js', fresh: true },
  // Loaded by the probe pool as new URL('./probe-worker.js', import.meta.url): beside index.js here, beside probe-pool.js in dist/.
  { out: 'probe-worker', from: 'dist/scan/workers/probe-worker.js', fresh: false },
];

/** The fingerprint of dist/ the current bundle was made from, or undefined. */
function savedFingerprint(root) {
  try {
    return readFileSync(join(root, BUNDLE_DIR, FINGERPRINT_FILE), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** True when every entry exists and was built from dist/ as it is now. */
export function bundleIsCurrent(root = CORE_ROOT) {
  const fp = distFingerprint(join(root, 'dist'));
  if (fp === '' || savedFingerprint(root) !== fp) return false;
  return ENTRIES.every((e) => existsSync(join(root, BUNDLE_DIR, `${e.out}.js`)));
}

/**
 * Build bundle/ from dist/. Files are written under temporary names and
 * renamed, chunks before the entries that import them, so a process starting
 * meanwhile loads either the old bundle or the new one, never half of one.
 */
export async function buildBundle(root = CORE_ROOT) {
  const esbuild = await import('esbuild');
  const fingerprint = distFingerprint(join(root, 'dist'));
  if (fingerprint === '') throw new Error(`${root}/dist has no .js files: run \`npx tsc -b\` first`);
  const entryPlugin = {
    name: 'wildtls-entries',
    setup(build) {
      build.onResolve({ filter: /^wildtls-entry:/ }, (args) => ({ path: args.path.slice('wildtls-entry:'.length), namespace: 'wildtls-entry' }));
      build.onLoad({ filter: /.*/, namespace: 'wildtls-entry' }, (args) => {
        const entry = ENTRIES.find((e) => e.out === args.path);
        const target = JSON.stringify(join(root, entry.from));
        const fresh = entry.fresh ? `import ${JSON.stringify(join(root, 'scripts/check-fresh.mjs'))};\n` : '';
        return { contents: `${fresh}export * from ${target};\n`, resolveDir: root, loader: 'js' };
      });
    },
  };
  const result = await esbuild.build({
    entryPoints: ENTRIES.map((e) => ({ in: `wildtls-entry:${e.out}`, out: e.out })),
    absWorkingDir: root,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir: join(root, BUNDLE_DIR),
    chunkNames: 'chunk-[hash]',
    external: EXTERNAL,
    plugins: [entryPlugin],
    define: { __WILDTLS_DIST_FINGERPRINT__: JSON.stringify(fingerprint) },
    // Inlined CommonJS dependencies (tsyringe, ipaddr.js...) call require() for Node's own modules.
    banner: { js: "import { createRequire as __wildtlsCreateRequire } from 'node:module'; const require = __wildtlsCreateRequire(import.meta.url);" },
    legalComments: 'none',
    logLevel: 'silent',
    write: false,
  });
  const dir = join(root, BUNDLE_DIR);
  mkdirSync(dir, { recursive: true });
  const isEntry = (path) => ENTRIES.some((e) => basename(path) === `${e.out}.js`);
  const ordered = [...result.outputFiles.filter((f) => !isEntry(f.path)), ...result.outputFiles.filter((f) => isEntry(f.path))];
  for (const f of ordered) {
    const temp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(temp, f.contents);
    renameSync(temp, f.path);
  }
  const tempFp = join(dir, `${FINGERPRINT_FILE}.${process.pid}.tmp`);
  writeFileSync(tempFp, `${fingerprint}\n`);
  renameSync(tempFp, join(dir, FINGERPRINT_FILE));
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

/**
 * At start, from a checkout: rebuild a stale bundle. A published package (no
 * src/, no esbuild) has its bundle from pack time and is left alone.
 */
export async function ensureBundle(root = CORE_ROOT) {
  if (!existsSync(join(root, 'src')) || bundleIsCurrent(root)) return;
  await buildBundle(root);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--if-stale') && bundleIsCurrent()) process.exit(0);
  try {
    const files = await buildBundle();
    console.log(`@wildtls/core bundle: ${files.length} files`);
  } catch (err) {
    console.error(`bundle: ${err.message}`);
    process.exit(1);
  }
}
