import { initTRPC } from '@trpc/server';
import { ZodError } from 'zod';
import type { Context } from './context';
import { fail, messages } from './errors';

const t = initTRPC.context<Context>().create({
  // Never put stack traces in responses, whatever NODE_ENV says.
  isDev: false,
  errorFormatter({ shape, error, ctx }) {
    const { stack: _stack, ...data } = shape.data;
    if (error.code === 'INTERNAL_SERVER_ERROR') {
      // The original message may hold SQL or library text: it goes to the log, not the client.
      return { ...shape, message: messages.internal, data: { ...data, requestId: ctx?.request.requestId ?? null } };
    }
    if (error.cause instanceof ZodError) {
      const fieldErrors = error.cause.issues.map((issue) => ({
        field: issue.path.join('.') || null,
        message: issue.message,
      }));
      const summary = fieldErrors.map((f) => (f.field ? `${f.field}: ${f.message}` : f.message)).join('; ');
      return { ...shape, message: `Invalid input. ${summary}`, data: { ...data, fieldErrors } };
    }
    return { ...shape, data };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

/** Open to anyone, from anywhere: for procedures that need no credential and set no cookie. */
export const publicProcedure = t.procedure;

/**
 * For procedures that sign in or read the refresh cookie (CSRF's targets): refuses a request a
 * browser marks as coming from another site. Clients that are not browsers send neither header
 * and are let through; they carry no ambient cookie to abuse.
 */
export const sameOriginProcedure = t.procedure.use(({ ctx, next }) => {
  const { origin, secFetchSite } = ctx.request;
  if ((origin !== null && origin !== ctx.publicOrigin) || secFetchSite === 'cross-site') {
    throw fail('FORBIDDEN', messages.crossSite);
  }
  return next();
});

/**
 * Requires a valid access token (`Authorization: Bearer …`), checked without the database, and
 * narrows the context to the signed-in user and session.
 */
export const protectedProcedure = t.procedure.use(async ({ ctx, next }) => {
  const token = bearerToken(ctx.request.authorization);
  const verified = token === null ? null : await ctx.auth.verifyAccessToken(token);
  if (!verified) throw fail('UNAUTHORIZED', messages.authenticationRequired);
  return next({ ctx: { user: { id: verified.userId }, sessionId: verified.sessionId } });
});

function bearerToken(header: string | null): string | null {
  const match = header?.match(/^Bearer ([A-Za-z0-9_.-]+)$/i);
  return match?.[1] ?? null;
}
