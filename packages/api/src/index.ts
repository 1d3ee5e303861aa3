export type { Session, User } from '@tessera/auth';
export { FAILURE_REASONS, type FailureReason } from '@tessera/contract';
export type { AuthClientRouter } from './auth-client-router';
export {
  type Context,
  type ContextDeps,
  type CreateContextOptions,
  createContextInner,
  type Logger,
  type RefreshCookieJar,
  type RequestInfo,
} from './context';
export { messages, RefusedError, retryAfterSeconds, unauthorized } from './errors';
export { adminRouter } from './routers/admin';
export { authRouter } from './routers/auth';
export {
  createCallerFactory,
  middleware,
  protectedProcedure,
  publicProcedure,
  roleProcedure,
  router,
  sameOriginProcedure,
  sessionProcedure,
} from './trpc';
