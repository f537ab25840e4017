#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { ensureBundle } from '@wildtls/core/bundle';

// Core is loaded as one bundled module (packages/core/scripts/bundle.mjs); in a
// checkout a bundle older than core's dist/ (a plain `npx tsc -b`) is rebuilt
// here, before anything imports core: the imports below are dynamic for that.
await ensureBundle();
const { execute } = await import('@oclif/core');
const { commandPlugins } = await import('../dist/command-plugins.js');
const { ensureManifest } = await import('../dist/oclif-manifest.js');

// oclif imports only the command that runs when its manifest is current
// (src/oclif-manifest.ts); a stale one is rewritten before oclif reads it.
await ensureManifest(fileURLToPath(new URL('..', import.meta.url)));

// Packages installed in the working directory's project may add commands
// (see src/command-plugins.ts); everything else is oclif as usual.
const cwd = process.cwd();
const additions = commandPlugins(cwd);
await execute({
  loadOptions: {
    root: fileURLToPath(import.meta.url),
    ...(additions.length > 0 ? { pluginAdditions: { core: additions, path: cwd } } : {}),
  },
});
