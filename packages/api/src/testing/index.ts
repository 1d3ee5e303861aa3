export { forEachTest } from './for-each-test';
export {
  createTestAuth,
  fastTestHasher,
  signedInContext,
  TEST_ORIGIN,
  type TestAuth,
  type TestAuthOptions,
  type TestEngine,
  testAuthForEachTest,
  testContext,
  testEngines,
} from './test-context';
