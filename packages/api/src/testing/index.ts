export {
  createTestAuth,
  fastTestHasher,
  signedInContext,
  TEST_ORIGIN,
  type TestAuth,
  type TestAuthOptions,
  type TestEngine,
  testContext,
  testEngines,
} from './test-context';
