import { createHash, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';

/** Who the passkeys belong to: the site's domain, its display name, and the one origin that may use them. */
export interface RelyingParty {
  /** The RP ID: the host of `PUBLIC_ORIGIN` (credentials are bound to it by the authenticator). */
  id: string;
  /** Shown by the browser and the authenticator (`RP_NAME`). */
  name: string;
  /** The only origin a response may come from: `PUBLIC_ORIGIN`. */
  origin: string;
}

/** The RP name when `RP_NAME` is unset. */
export const DEFAULT_RP_NAME = 'Tessera';

/**
 * The relying party for a public origin, or why there is none: WebAuthn scopes credentials to a
 * domain (the RP ID), and an IP address is not one, so browsers refuse it.
 *
 * @example
 * relyingPartyFor('https://app.example.com', 'Tessera'); // { ok: true, rp: { id: 'app.example.com', … } }
 * relyingPartyFor('http://127.0.0.1:3000', 'Tessera'); // { ok: false, reason: '…' }
 */
export function relyingPartyFor(
  origin: string,
  name: string,
): { ok: true; rp: RelyingParty } | { ok: false; reason: string } {
  const { hostname } = new URL(origin);
  if (isIP(hostname.replace(/^\[|\]$/g, '')) !== 0) {
    return {
      ok: false,
      reason: `PUBLIC_ORIGIN ${origin} uses an IP address, which cannot be a WebAuthn relying party ID: passkeys are off. Use a host name (http://localhost:<port> in development).`,
    };
  }
  return { ok: true, rp: { id: hostname, name, origin } };
}

/** How long a challenge can be answered. */
export const CHALLENGE_TTL_MS = 5 * 60 * 1000;

/**
 * A fresh challenge: 32 bytes from the CSPRNG, and the base64url text the options carry and the
 * client data echoes. (The library would encode a string challenge's characters, not its bytes.)
 */
export function newChallenge(): { bytes: Uint8Array<ArrayBuffer>; text: string } {
  const bytes = new Uint8Array(randomBytes(32));
  return { bytes, text: Buffer.from(bytes).toString('base64url') };
}

/** Challenges are stored hashed: a copy of the table answers nothing. */
export function hashChallenge(challenge: string): string {
  return createHash('sha256').update(challenge).digest('base64url');
}

/**
 * The challenge a response answers, read from its clientDataJSON, or null when there is none to
 * read. Only to find the stored challenge: the library verifies the rest.
 */
export function challengeOf(clientDataJSON: string): string | null {
  try {
    const clientData: unknown = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8'));
    if (typeof clientData !== 'object' || clientData === null || !('challenge' in clientData)) return null;
    return typeof clientData.challenge === 'string' && clientData.challenge.length <= 128 ? clientData.challenge : null;
  } catch {
    return null;
  }
}

/**
 * The WebAuthn user handle of an account: its id's bytes. It identifies the account to the
 * authenticator and carries nothing personal (WebAuthn §14.6.1: no email, no name).
 */
export function userHandleOf(userId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(userId, 'utf8'));
}
