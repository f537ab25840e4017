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
// oclif checks Node against its own engines at import, loading semver for it (35-45 ms of a scan's
// start-up); ours are stricter and checked without semver (src/node-version.ts).
const { nodeVersionWarning } = await import('../dist/node-version.js');
const warning = nodeVersionWarning(fileURLToPath(new URL('..', import.meta.url)));
if (warning) process.emitWarning(warning);
const ownEngineFlag = process.env.OCLIF_DISABLE_ENGINE_WARNING === undefined;
if (ownEngineFlag) process.env.OCLIF_DISABLE_ENGINE_WARNING = '1';
const { execute } = await import('@oclif/core');
// Not passed on to the processes a command starts.
if (ownEngineFlag) delete process.env.OCLIF_DISABLE_ENGINE_WARNING;
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
