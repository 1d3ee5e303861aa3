export type { Session, User } from '@tessera/auth';
export {
  type Context,
  type ContextDeps,
  type CreateContextOptions,
  createContextInner,
  type Logger,
  type RefreshCookieJar,
  type RequestInfo,
} from './context';
export { FAILURE_REASONS, type FailureReason, messages, RefusedError, retryAfterSeconds, unauthorized } from './errors';
export { type AppRouter, appRouter, type RouterInputs, type RouterOutputs } from './root';
export {
  createCallerFactory,
  middleware,
  protectedProcedure,
  publicProcedure,
  router,
  sameOriginProcedure,
  sessionProcedure,
} from './trpc';
