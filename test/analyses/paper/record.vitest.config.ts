// Only the fixture recorder (test/analyses/paper/record-fixture.rec.ts); never part of `npm test`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/analyses/paper/record-fixture.rec.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
