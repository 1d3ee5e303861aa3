import type { RequestInfo } from '@tessera/api';
import type { FastifyRequest } from 'fastify';

/**
 * What the API may know of a request.
 *
 * @example
 * const info = requestInfo(request); // { authorization: 'Bearer …', origin: 'http://localhost:3000', … }
 */
export function requestInfo(request: FastifyRequest): RequestInfo {
  return {
    authorization: singleHeader(request, 'authorization'),
    userAgent: singleHeader(request, 'user-agent'),
    // Fastify reads X-Forwarded-For only when TRUST_PROXY is set.
    ip: request.ip,
    origin: singleHeader(request, 'origin'),
    secFetchSite: singleHeader(request, 'sec-fetch-site'),
    requestId: request.id,
    // Several Cookie headers (HTTP/2 splits them) arrive joined with '; ', as they should.
    cookieHeader: request.headers.cookie ?? null,
    dpop: singleHeader(request, 'dpop'),
    method: request.method,
    // A DPoP proof's `htu` is the URL without its query (RFC 9449 §4.3).
    path: request.url.split('?', 1)[0] ?? request.url,
  };
}

/**
 * Node keeps only the first of duplicated headers such as Authorization, hiding the second from
 * us. A header sent twice is ambiguous, so it reads as the empty string: never a valid credential,
 * never a matching origin.
 */
function singleHeader(request: FastifyRequest, name: string): string | null {
  const raw = request.raw.rawHeaders;
  let value: string | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]?.toLowerCase() !== name) continue;
    if (value !== null) return '';
    value = raw[i + 1] ?? '';
  }
  return value;
}
