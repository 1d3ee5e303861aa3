export type { Session, User } from '@tessera/auth';
export { FAILURE_REASONS, type FailureReason } from '@tessera/contract';
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
