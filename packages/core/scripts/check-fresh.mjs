// The first module of each bundled entry of a wildtls package (see bundle.mjs).
// In a checkout (src/ beside bundle/) a bundle older than dist/ would run old
// code silently after a plain `npx tsc -b`: refuse it with what to do instead.
// bin/run.js and the tests' globalSetup rebuild a stale bundle before they
// import it (and mark it checked, so it is hashed once per start), so this
// fires only for other importers (a bench script, say). A published package
// has no src/ and carries the bundle packed with it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { distFingerprint } from './bundle-fingerprint.mjs';

/* global __WILDTLS_DIST_FINGERPRINT__ -- defined by bundle.mjs when it builds the bundle */
const root = fileURLToPath(new URL('..', import.meta.url));
const checked = globalThis[Symbol.for('wildtls.bundles-checked')];
if (!checked?.has(root.replace(/\/$/, '')) && existsSync(`${root}src`) && distFingerprint(`${root}dist`) !== __WILDTLS_DIST_FINGERPRINT__) {
  throw new Error(`${root}bundle is older than ${root}dist; run \`npm run build\` (or \`node packages/core/scripts/bundle.mjs ${root}\`)`);
}
