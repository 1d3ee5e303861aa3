export { createTestAuth, signedInContext, TEST_ORIGIN, testContext } from './test-context';
