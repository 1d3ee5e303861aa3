import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // argon2id at OWASP strength takes ~50 ms a hash on one core: allow for a loaded CI machine.
    testTimeout: 30_000,
  },
});
