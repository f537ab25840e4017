#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { ensureBundles } from '@wildtls/core/bundle';

// Core and the built-in plugins are loaded as bundled modules
// (packages/core/scripts/bundle.mjs); in a checkout a bundle older than its
// dist/ (a plain `npx tsc -b`) is rebuilt here, before anything imports it:
// the imports below are dynamic for that.
try {
  await ensureBundles(fileURLToPath(new URL('..', import.meta.url)));
} catch (err) {
  // A checkout whose dist/ is missing, or without esbuild: say what to run, not a stack.
  console.error(`wildtls: the bundles of core and the built-in plugins are out of date and could not be rebuilt (${err.message}); run \`npm run build\``);
  process.exit(1);
}
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
