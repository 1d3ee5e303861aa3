export { CookieJar } from './cookie-jar';
export { startTestServer, type TestServer, type TestServerOptions } from './test-server';
export { createTestClient } from './trpc-test-client';
