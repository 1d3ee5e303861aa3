export type { Session, User } from '@tessera/auth';
export { FAILURE_REASONS, type FailureReason } from '@tessera/contract';
export type { AuthClientRouter } from './auth-client-router';
export {
  PENDING_SIGN_IN_COOKIE,
  PROVIDER_BINDING_COOKIE,
  PROVIDER_CALLBACK_PATH,
  pendingSignInCookie,
  providerBindingCookie,
} from './binding-cookie';
export {
  type Context,
  type ContextDeps,
  type CreateContextOptions,
  createContextInner,
  type FeatureStores,
  type Logger,
  type RequestInfo,
} from './context';
export { messages, RefusedError, retryAfterSeconds, unauthorized } from './errors';
export { type Feature, featureStores } from './feature';
export { decodePageCursor, encodePageCursor, type PageCursor, pageCursorInput } from './page-cursor';
export { type RefreshCookieOptions, type ResponseHeaders, refreshCookie } from './refresh-cookie';
export { createAdminRouter } from './routers/admin';
export { type AuthRouter, createAuthRouter, DEFAULT_REFRESH_COOKIE, mountAuthRouter } from './routers/auth';
export {
  createCallerFactory,
  freshProcedure,
  freshRoleProcedure,
  liveSessionProcedure,
  middleware,
  protectedProcedure,
  publicProcedure,
  roleProcedure,
  router,
  sameOriginProcedure,
  sessionProcedure,
} from './trpc';
