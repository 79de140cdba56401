import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // The integration tests mostly wait on anvil, s3rver and Chromium (other processes): more
    // test files than cores in flight keeps both cores busy (the default is one fewer than cores).
    maxWorkers: 4,
    projects: [
      {
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'] },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // One simulated devnet for the whole run, shared read-only by every test file.
          globalSetup: ['test/support/globalSetup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // CDK assertions on the synthesized stack (bundles the functions with local esbuild).
        // cdk-nag walks the whole stack: seconds of CPU, more on a loaded machine.
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
})
