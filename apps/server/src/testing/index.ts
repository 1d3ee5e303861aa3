export { buildTestApp } from './build-test-app';
export { CookieJar } from './cookie-jar';
export {
  callProcedure,
  type RegisteredUser,
  rawRequest,
  refreshTokenFrom,
  registerUser,
  type TrpcAnswer,
  toAnswer,
} from './http';
export { MAIN_JS, type SpawnedServer, spawnServer } from './spawn-server';
export { startTestServer, type TestServer, type TestServerOptions } from './test-server';
export { createTestClient } from './trpc-test-client';
