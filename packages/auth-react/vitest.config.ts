import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // React renders into a DOM; the auth client beneath talks to a real server over HTTP.
    environment: 'happy-dom',
    globalSetup: ['src/testing-server.global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
