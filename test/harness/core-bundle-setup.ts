// vitest globalSetup: tests import the bundles of core and the built-in plugins
// (their bundle/ folders), so rebuild those whose dist/ changed since they were
// made (a plain `npx tsc -b`); the tests then always run what the build wrote.
import { join } from 'node:path';
import { ensureBundles } from '@wildtls/core/bundle';
import { ROOT } from '../cli/run-cli.js';

export default async function setup(): Promise<void> {
  await ensureBundles(join(ROOT, 'packages/cli'));
}
