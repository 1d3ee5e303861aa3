import { readClaims } from '../jwt-claims';
import { announceDeviceKeyUnavailable, type DeviceKey, type DeviceKeyStore } from './device-key';
import { createDpopProof } from './proof';

/**
 * Options for {@link createDpopFetch}.
 *
 * @example
 * createDpopFetch(fetch, keys, { baseUrl: 'https://app.example/' } satisfies DpopFetchOptions);
 */
export interface DpopFetchOptions {
  /** Resolves relative request URLs for the proof's `htu`; defaults to the page's `location.href`. */
  baseUrl?: string;
}

/**
 * A `fetch` that adds DPoP proofs, plus what the auth client needs to manage the key's lifetime.
 *
 * @example
 * const dpopFetch: DpopFetch = createDpopFetch(fetch, createIndexedDbDeviceKeys());
 */
export type DpopFetch = typeof fetch & {
  /** Drops the key kept in memory (another tab signed out); the stored key stays. */
  forgetKey(): void;
  /** Deletes the stored key and the copy in memory (this tab signed out): the next sign-in makes a new one. */
  discardKey(): Promise<void>;
};

/** `Authorization: Bearer <token>` or `DPoP <token>`: the token, and whether it went as DPoP already. */
const AUTHORIZATION = /^(Bearer|DPoP)\s+(\S+)$/i;

/** The thumbprint a bound access token names (`cnf.jkt`), or `undefined` for an unbound one. */
function boundKeyOf(accessToken: string): string | undefined {
  const cnf = readClaims(accessToken)?.cnf;
  if (typeof cnf !== 'object' || cnf === null || !('jkt' in cnf)) return undefined;
  return typeof cnf.jkt === 'string' ? cnf.jkt : undefined;
}

/** The server refused the proof itself (`DPOP_PROOF_INVALID`): with a skewed clock, its `iat`. */
const proofRefused = (response: Response): boolean =>
  response.status === 401 && (response.headers.get('www-authenticate') ?? '').includes('invalid_dpop_proof');

/**
 * How far this machine's clock is from the server's, as an answer's `Date` header says (to the
 * second): proofs are dated by the server's clock, so a computer whose clock is minutes off still
 * signs in. Null when the answer has no readable `Date`.
 */
function clockOffsetFrom(response: Response): number | null {
  const date = Date.parse(response.headers.get('date') ?? '');
  return Number.isNaN(date) ? null : date - Date.now();
}

/** More than this between the clocks, and a refused proof is worth one retry dated by the server's. */
const SKEW_WORTH_A_RETRY_MS = 30_000;

/** The server refused the proof for want of its current nonce, and sent the nonce to use. */
const asksForNonce = (response: Response): boolean =>
  (response.headers.get('www-authenticate') ?? '').includes('use_dpop_nonce') && response.headers.has('dpop-nonce');

/**
 * Wraps `baseFetch` so that every request carries a DPoP proof (RFC 9449) from this browser's
 * device key, in a `DPoP` header:
 * - an access token bound to a key (`cnf.jkt`) goes as `Authorization: DPoP <token>` instead of
 *   `Bearer`, with a proof that carries its hash (`ath`); an unbound token stays `Bearer`;
 * - the latest `DPoP-Nonce` the server sent rides in each proof's `nonce` claim, and an answer
 *   that asks for a nonce (`WWW-Authenticate: … use_dpop_nonce`) is retried once with it.
 *
 * Which key: for a bound token, the key kept in memory if it is the one named, else the stored
 * key (another tab may have replaced it; if it is not the bound one either, the server's refusal,
 * `DPOP_PROOF_INVALID`, makes the auth link refresh with it). Every other request (sign-in,
 * refresh, public calls) reads the stored key, making one if there is none, so that a session is
 * always bound to the key every tab can find. With `keys` false, or a store that fails (IndexedDB
 * refused), requests go as they are, without proofs.
 *
 * @example
 * const dpopFetch = createDpopFetch((input, init) => fetch(input, init), createIndexedDbDeviceKeys());
 * httpBatchLink({ url: '/trpc', headers: auth.headers, fetch: dpopFetch });
 */
export function createDpopFetch(
  baseFetch: typeof fetch,
  keys: DeviceKeyStore | false,
  options: DpopFetchOptions = {},
): DpopFetch {
  let held: DeviceKey | null = null;
  // The latest nonce any answer carried: the server's current one, for the whole page.
  let nonce: string | undefined;
  // The server's clock minus ours, from the last answer's `Date`: proofs are dated by it.
  let clockOffsetMs = 0;

  const keyFor = async (boundTo: string | undefined): Promise<DeviceKey | null> => {
    if (keys === false) return null;
    if (boundTo !== undefined && held?.jkt === boundTo) return held;
    try {
      held = await keys.loadOrCreate();
      return held;
    } catch (error) {
      // No key, no proof: the request still goes, and the server decides whether that will do.
      announceDeviceKeyUnavailable(`the device key store failed: ${String(error)}`);
      return null;
    }
  };

  const dpopFetch: typeof fetch = async (input, init) => {
    if (keys === false) return baseFetch(input, init);
    // tRPC passes a URL string and `init`; a Request (from other callers) is read the same way.
    const isRequest = !(typeof input === 'string' || input instanceof URL);
    const request = isRequest ? input : undefined;
    const url = isRequest ? input.url : input;
    const headers = new Headers(init?.headers ?? request?.headers);
    const method = init?.method ?? request?.method ?? 'GET';

    const [, scheme, token] = AUTHORIZATION.exec(headers.get('authorization') ?? '') ?? [];
    const boundTo = token === undefined ? undefined : boundKeyOf(token);
    const key = await keyFor(boundTo);
    if (key === null) return baseFetch(input, init);
    // A bound token must go as DPoP, with its hash in the proof; an unbound one stays Bearer.
    const asDpop = token !== undefined && (boundTo !== undefined || scheme?.toLowerCase() === 'dpop');
    if (asDpop) headers.set('authorization', `DPoP ${token}`);

    const send = async (): Promise<Response> => {
      const proof = await createDpopProof(key, {
        method,
        url,
        accessToken: asDpop ? token : undefined,
        nonce,
        baseUrl: options.baseUrl,
        now: Date.now() + clockOffsetMs,
      });
      const sent = new Headers(headers);
      sent.set('dpop', proof);
      // A Request's body can be read once: each attempt sends a copy, keeping the original.
      const response = await baseFetch(request?.clone() ?? input, { ...init, headers: sent });
      nonce = response.headers.get('dpop-nonce') ?? nonce;
      return response;
    };

    const offsetBefore = clockOffsetMs;
    const response = await send();
    const offset = clockOffsetFrom(response);
    if (offset !== null) clockOffsetMs = offset;
    // A proof refused while our clock was far from the server's, now known: once more, dated right.
    const skewed = proofRefused(response) && Math.abs(clockOffsetMs - offsetBefore) > SKEW_WORTH_A_RETRY_MS;
    if (!asksForNonce(response) && !skewed) return response;
    // tRPC's bodies are strings, so the same `init` can go again, now with the nonce it asked for
    // or dated by the server's clock.
    // The refused answer's body is not needed; releasing it frees the connection.
    response.body?.cancel().catch(() => undefined);
    return send();
  };

  return Object.assign(dpopFetch, {
    forgetKey() {
      held = null;
    },
    async discardKey() {
      held = null;
      if (keys !== false) await keys.discard();
    },
  });
}
