import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Suites that do not run on a test server's database (they spawn their own, or test the
 * environment, the types or the input schemas): once is enough, in the SQLite project.
 */
const engineIndependent = [
  'src/app-router.test.ts',
  'src/app-router.types.test.ts',
  'src/database.test.ts',
  'src/env.test.ts',
  'src/main.test.ts',
  'src/multi-instance.test.ts',
  'src/node-version.test.ts',
  'src/start-failure.test.ts',
  'src/revocation-watch.test.ts',
  'src/revocation-stale.test.ts',
];

// CI runs the PostgreSQL project even without a URL, where it fails: CI never skips an engine.
const postgres = Boolean(process.env.TEST_DATABASE_URL) || process.env.CI === 'true';
if (!process.env.TEST_DATABASE_URL) {
  console.warn('TEST_DATABASE_URL is not set: the server suites run on SQLite only, not on PostgreSQL');
}

export default defineConfig({
  test: {
    // argon2id at OWASP strength takes ~50 ms a hash on one core: allow for a loaded CI machine.
    testTimeout: 30_000,
    // The integration and security suites run on each engine: every test server is on SQLite in
    // the first project, on a PostgreSQL database of its own in the second (TEST_ENGINE).
    projects: [
      { extends: true as const, test: { name: 'sqlite' } },
      ...(postgres
        ? [
            {
              extends: true as const,
              test: {
                name: 'postgres',
                env: { TEST_ENGINE: 'postgres' },
                exclude: [...configDefaults.exclude, ...engineIndependent],
              },
            },
          ]
        : []),
    ],
  },
});
