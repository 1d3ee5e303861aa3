import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';

/**
 * A tRPC-shaped error for requests refused before tRPC sees them (wrong content type, body too
 * large), so every client handles one error format.
 *
 * @example
 * reply.code(415).send(trpcErrorBody('UNSUPPORTED_MEDIA_TYPE', 415, 'Send JSON.'));
 */
export function trpcErrorBody(code: TRPC_ERROR_CODE_KEY, httpStatus: number, message: string) {
  return { error: { message, code: TRPC_ERROR_CODES_BY_KEY[code], data: { code, httpStatus } } };
}
