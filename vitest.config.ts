import { defineConfig } from 'vitest/config';

/**
 * Two tiers, as kafkajs does: `unit` runs beside the code with no I/O; `integration` runs the
 * behaviours in `test/` against the real local stack, which the global setup starts once per run
 * and stops afterwards.
 */
export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{shared,schemas,stack,services/*}/src/**/*.test.ts', 'scripts/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.int.test.ts'],
          globalSetup: ['test/global-setup.ts'],
          // One broker, one Mongo server, two cores: files run one after another.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
