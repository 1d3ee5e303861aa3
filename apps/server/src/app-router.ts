import { createAdminRouter, mountAuthRouter, publicProcedure, router } from '@tessera/api';
import { TRPC_PATH } from '@tessera/contract';
import { notesRouter } from '@tessera/notes';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { features } from './features';

/**
 * Every procedure the server serves at `/trpc`. The server is the composition root: feature
 * packages build their routers from `@tessera/api`'s builders, and only this file mounts them,
 * so no package below depends on another's router.
 */
export const appRouter = router({
  // At `auth`: the refresh cookie's path follows from this mount (`/trpc/auth.refresh`); every
  // mounted feature's data goes into `auth.account.export`.
  ...mountAuthRouter({ prefix: TRPC_PATH, features }),
  notes: notesRouter,
  admin: createAdminRouter({ features }),
  /**
   * Answers anyone, touching nothing: a client's "is the API up?", and the benchmark's floor
   * (what the framework costs before any authentication).
   */
  ping: publicProcedure.query(() => ({ ok: true as const })),
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
