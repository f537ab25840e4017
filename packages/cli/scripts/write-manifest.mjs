#!/usr/bin/env node
// Write packages/cli/oclif.manifest.json from the built commands (see
// src/oclif-manifest.ts). `npm run build` runs it after tsc; prepack runs it
// with --if-stale, which also works in a copy of the package without
// node_modules as long as the copied manifest is current, and otherwise
// fails with what to do, so a published CLI always carries a current manifest.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const cliDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { manifestIsCurrent, writeManifest, MANIFEST_FILE } = await import('../dist/oclif-manifest.js').catch(() => {
  console.error('write-manifest: packages/cli/dist is missing; run `npm run build` first');
  process.exit(1);
});
if (process.argv.includes('--if-stale') && manifestIsCurrent(cliDir)) process.exit(0);
try {
  const ids = await writeManifest(cliDir);
  console.log(`${MANIFEST_FILE}: ${ids.length} commands (${ids.join(', ')})`);
} catch (err) {
  console.error(`write-manifest: could not write ${MANIFEST_FILE} (${err.message}); run \`npm run build\` in the checkout before packing`);
  process.exit(1);
}
