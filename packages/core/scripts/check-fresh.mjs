// The first module of each bundled entry of @wildtls/core (see bundle.mjs).
// In a checkout (src/ beside bundle/) a bundle older than dist/ would run old
// code silently after a plain `npx tsc -b`: refuse it with what to do instead.
// bin/run.js and the tests' globalSetup rebuild a stale bundle before they
// import core, so this fires only for other importers (a bench script, say).
// A published package has no src/ and carries the bundle packed with it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { distFingerprint } from './bundle-fingerprint.mjs';

/* global __WILDTLS_DIST_FINGERPRINT__ -- defined by bundle.mjs when it builds the bundle */
const root = fileURLToPath(new URL('..', import.meta.url));
if (existsSync(`${root}src`) && distFingerprint(`${root}dist`) !== __WILDTLS_DIST_FINGERPRINT__) {
  throw new Error(`@wildtls/core: ${root}bundle is older than ${root}dist; run \`npm run build\` (or \`node packages/core/scripts/bundle.mjs\`)`);
}
