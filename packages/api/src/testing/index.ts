export { createTestAuth, fastTestHasher, signedInContext, TEST_ORIGIN, testContext } from './test-context';
