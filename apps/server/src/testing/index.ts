export { buildTestApp } from './build-test-app';
export { CookieJar } from './cookie-jar';
export { type DpopKey, dpopKey, type ProofFor } from './dpop-key';
export { type GithubAccount, startGithubStandIn } from './github-stand-in';
export {
  callProcedure,
  type RegisteredUser,
  rawRequest,
  refreshTokenFrom,
  registerUser,
  type TrpcAnswer,
  toAnswer,
} from './http';
export { type StandInAccount, startOidcStandIn, type Tampering } from './oidc-stand-in';
export { type ProviderAccount, startOidcProvider, type TestOidcProvider } from './oidc-test-provider';
export { type ListeningServer, sharedTestServer, type TestServers, testServers } from './per-test';
export { rawSql } from './raw-sql';
export { signedInOnly } from './signed-in-only';
export { signedUpDevice } from './signed-up-device';
export {
  MAIN_JS,
  ROTATE_JS,
  runProcess,
  runTool,
  SET_USER_ROLE_JS,
  type SpawnedServer,
  spawnServer,
} from './spawn-server';
export { startTestServer, TEST_ENGINE, type TestServer, type TestServerOptions } from './test-server';
export { createTestClient, refusal, type TestClientKey } from './trpc-test-client';
