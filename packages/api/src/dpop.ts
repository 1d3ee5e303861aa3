import type { DpopProofCheck } from '@tessera/auth';
import { DPOP_ALGORITHMS } from '@tessera/auth';
import type { Context } from './context';
import { messages, type RefusedError, unauthorized } from './errors';

/** How an access token was presented: `Authorization: Bearer …` or `Authorization: DPoP …` (RFC 9449 §7.1). */
export interface PresentedToken {
  scheme: 'bearer' | 'dpop';
  token: string;
}

/**
 * The scheme and token of an `Authorization` header, or null when it is neither scheme or not a
 * token's characters.
 *
 * @example
 * presentedToken('DPoP eyJ…'); // { scheme: 'dpop', token: 'eyJ…' }
 */
export function presentedToken(header: string): PresentedToken | null {
  const match = header.match(/^(Bearer|DPoP) ([A-Za-z0-9_.-]+)$/i);
  if (!match?.[1] || !match[2]) return null;
  return { scheme: match[1].toLowerCase() === 'dpop' ? 'dpop' : 'bearer', token: match[2] };
}

/** Each HTTP request's proof, checked once: a batch of calls is one request, and its `jti` is spent once. */
const checkedProofs = new WeakMap<Context['request'], DpopProofCheck | null>();

/**
 * The request's `DPoP` proof, checked against this request (method, PUBLIC_ORIGIN + path, and the
 * access token when it is sent as `DPoP`), or null when the request carries none.
 *
 * @example
 * const proof = requestProof(ctx); // { ok: true, jkt: '…' }
 */
export function requestProof(ctx: Context): DpopProofCheck | null {
  const { request } = ctx;
  const known = checkedProofs.get(request);
  if (known !== undefined) return known;
  let check: DpopProofCheck | null = null;
  if (request.dpop !== null) {
    const presented = request.authorization === null ? null : presentedToken(request.authorization);
    check = ctx.auth.checkDpopProof(request.dpop, {
      method: request.method,
      url: `${ctx.publicOrigin}${request.path}`,
      accessToken: presented?.scheme === 'dpop' ? presented.token : undefined,
    });
  }
  checkedProofs.set(request, check);
  return check;
}

type DpopFailure = 'DPOP_PROOF_MISSING' | 'DPOP_PROOF_INVALID' | 'DPOP_NONCE_REQUIRED';

/** RFC 9449 §7.1's challenge for each refusal (§8 for the nonce). */
const CHALLENGES: Record<DpopFailure, string> = {
  DPOP_PROOF_MISSING: `DPoP algs="${DPOP_ALGORITHMS.join(' ')}"`,
  DPOP_PROOF_INVALID: `DPoP error="invalid_dpop_proof", algs="${DPOP_ALGORITHMS.join(' ')}"`,
  DPOP_NONCE_REQUIRED: `DPoP error="use_dpop_nonce", algs="${DPOP_ALGORITHMS.join(' ')}"`,
};

const MESSAGES: Record<DpopFailure, string> = {
  DPOP_PROOF_MISSING: messages.dpopProofMissing,
  DPOP_PROOF_INVALID: messages.dpopProofInvalid,
  DPOP_NONCE_REQUIRED: messages.dpopNonceRequired,
};

/**
 * An UNAUTHORIZED for a DPoP failure, with its `WWW-Authenticate` challenge on the answer; why a
 * proof was refused goes to the log only.
 *
 * @example
 * throw dpopRefusal(ctx, 'DPOP_PROOF_INVALID', 'htu is not this request');
 */
export function dpopRefusal(ctx: Context, reason: DpopFailure, why: string, message?: string): RefusedError {
  ctx.response.appendHeader('WWW-Authenticate', CHALLENGES[reason]);
  ctx.log.info({ event: 'dpop_refused', reason, why, requestId: ctx.request.requestId }, 'DPoP proof refused');
  return unauthorized(reason, message ?? MESSAGES[reason]);
}

/** A refused proof as its failure: `use_nonce` asks for a retry with the server's nonce. */
export function refusedProof(ctx: Context, check: Extract<DpopProofCheck, { ok: false }>): RefusedError {
  return dpopRefusal(ctx, check.reason === 'use_nonce' ? 'DPOP_NONCE_REQUIRED' : 'DPOP_PROOF_INVALID', check.why);
}

/**
 * The device key a sign-in or refresh proves it holds, to bind its session to: the proof's
 * thumbprint, or null without a proof (a Bearer session) unless DPOP=required. A proof that is
 * there but wrong is refused, never ignored.
 *
 * @example
 * const dpopJkt = provenDeviceKey(ctx); // 'NzbLsXh8…' or null
 */
export function provenDeviceKey(ctx: Context): string | null {
  const check = requestProof(ctx);
  if (check === null) {
    if (ctx.auth.dpopRequired) throw dpopRefusal(ctx, 'DPOP_PROOF_MISSING', 'no proof', messages.dpopProofRequired);
    return null;
  }
  if (!check.ok) throw refusedProof(ctx, check);
  return check.jkt;
}

/**
 * Refuses a request whose access token is bound to a key (`cnf.jkt`) unless it is sent as
 * `DPoP` with a good proof from that key; and, under DPOP=required, any token bound to none.
 *
 * @example
 * requireProofOfKey(ctx, presented, check.token.dpopJkt);
 */
export function requireProofOfKey(ctx: Context, presented: PresentedToken, boundTo: string | null): void {
  if (boundTo === null) {
    if (presented.scheme === 'dpop') throw dpopRefusal(ctx, 'DPOP_PROOF_INVALID', 'DPoP scheme with an unbound token');
    if (ctx.auth.dpopRequired) {
      throw dpopRefusal(ctx, 'DPOP_PROOF_MISSING', 'unbound token', messages.dpopProofRequired);
    }
    return;
  }
  // §7.2: a bound token sent as a Bearer token is refused, proof or not.
  if (presented.scheme !== 'dpop') throw dpopRefusal(ctx, 'DPOP_PROOF_MISSING', 'bound token sent as Bearer');
  const check = requestProof(ctx);
  if (check === null) throw dpopRefusal(ctx, 'DPOP_PROOF_MISSING', 'no proof');
  if (!check.ok) throw refusedProof(ctx, check);
  if (check.jkt !== boundTo) throw dpopRefusal(ctx, 'DPOP_PROOF_INVALID', 'proof from another key');
}
