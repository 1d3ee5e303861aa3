import type { Auth } from '@tessera/auth';
import type { ResponseHeaders } from './refresh-cookie';

/** What procedures may know of the HTTP request; the server adapter extracts it. */
export interface RequestInfo {
  /** The `Authorization` header: null when absent, empty when sent more than once (so never valid). */
  authorization: string | null;
  userAgent: string | null;
  /** The client's address; X-Forwarded-For counts only when the server is told to trust a proxy. */
  ip: string;
  /** The `Origin` header, when the client sent one (browsers do on POST). */
  origin: string | null;
  /** The `Sec-Fetch-Site` header: only browsers send it, and scripts cannot forge it. */
  secFetchSite: string | null;
  /** Correlates a client-visible error with the server log line that explains it. */
  requestId: string;
  /** The `Cookie` header, as sent (the auth router reads its own cookie from it). */
  cookieHeader: string | null;
  /** The `DPoP` header (RFC 9449): null when absent, empty when sent more than once (so never valid). */
  dpop: string | null;
  /** The HTTP method, e.g. `POST`: a DPoP proof's `htm`. */
  method: string;
  /** The URL path without the query, e.g. `/trpc/auth.me`: PUBLIC_ORIGIN and it are a proof's `htu`. */
  path: string;
}

/** The slice of a pino logger the API writes to; the server passes the request's logger. */
export interface Logger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/**
 * What feature packages keep, each behind an interface of its own: a feature adds its entry by
 * declaration merging, and the server builds it for the database engine in use. Procedures never
 * see the database itself, so none depends on which engine it is.
 *
 * @example
 * declare module '@tessera/api' {
 *   interface FeatureStores { notes: NotesStore }
 * }
 */
// biome-ignore lint/suspicious/noEmptyInterface: features extend it by declaration merging.
export interface FeatureStores {}

export interface ContextDeps {
  auth: Auth;
  /** Each feature's store (`ctx.stores.notes`), on the engine the server runs on. */
  stores: FeatureStores;
  /** The one origin whose pages may use cookie-bearing and sign-in procedures. */
  publicOrigin: string;
}

export interface CreateContextOptions extends ContextDeps {
  request: RequestInfo;
  response: ResponseHeaders;
  log: Logger;
}

/**
 * Builds a request's context from explicit dependencies, so tests can build one without HTTP.
 *
 * @example
 * const ctx = createContextInner({ auth, stores, publicOrigin, request, response, log });
 */
export function createContextInner(options: CreateContextOptions) {
  return { ...options };
}

export type Context = ReturnType<typeof createContextInner>;
