#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { execute } from '@oclif/core';
import { commandPlugins } from '../dist/command-plugins.js';
import { ensureManifest } from '../dist/oclif-manifest.js';

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
