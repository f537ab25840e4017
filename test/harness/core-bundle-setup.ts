// vitest globalSetup: tests import @wildtls/core's bundle (packages/core/bundle/),
// so rebuild it first when core's dist/ changed since it was made (a plain
// `npx tsc -b`); the tests then always run the code the build just wrote.
import { ensureBundle } from '@wildtls/core/bundle';

export default async function setup(): Promise<void> {
  await ensureBundle();
}
