import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { bodyOf, jsonAnswer as json, type StandInAnswer, serveStandIn } from './stand-in-server';

/** How the stand-in's next ID token differs from a good one: the attacks a provider (or a thief) could send. */
export interface Tampering {
  /** Sign with a key the provider does not publish. */
  foreignKey?: boolean;
  /** Claims to put in place of the right ones (`nonce`, `aud`, `iss`, `exp`, `iat`). */
  claims?: JWTPayload;
}

/** Who the stand-in signs in: the ID token's identity claims. */
export interface StandInAccount {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
}

/**
 * A stand-in for an OpenID Connect provider that speaks the documented endpoints (discovery,
 * JWKS, authorize, token) as Google documents them, and signs its ID tokens with jose, so a test
 * can send what a real one never would: a wrong nonce, another audience, another key. Its
 * authorize endpoint signs in `account` at once and sends the browser back. Its token endpoint is
 * strict: the client's secret (Basic or form), the redirect URI it was given, the PKCE verifier
 * for the S256 challenge, each code once.
 */
export async function startOidcStandIn(options: { clientId: string; clientSecret: string; account: StandInAccount }) {
  const good = await generateKeyPair('ES256');
  const foreign = await generateKeyPair('ES256');
  const publicJwk = { ...(await exportJWK(good.publicKey)), kid: 'good', alg: 'ES256', use: 'sig' };
  const codes = new Map<string, { nonce: string; redirectUri: string; challenge: string; account: StandInAccount }>();
  let account = options.account;
  let tampering: Tampering = {};
  let discoveries = 0;
  const { origin: issuer, close } = await serveStandIn((request) => answer(request));

  async function answer(request: IncomingMessage): Promise<StandInAnswer> {
    const url = new URL(request.url ?? '/', issuer);
    if (url.pathname === '/.well-known/openid-configuration') {
      discoveries++;
      return json({
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['ES256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      });
    }
    if (url.pathname === '/jwks') return json({ keys: [publicJwk] });
    if (url.pathname === '/authorize') {
      const code = randomBytes(16).toString('base64url');
      const redirectUri = url.searchParams.get('redirect_uri') ?? '';
      if (url.searchParams.get('client_id') !== options.clientId) return json({ error: 'invalid_client' }, 400);
      if (url.searchParams.get('code_challenge_method') !== 'S256') return json({ error: 'invalid_request' }, 400);
      codes.set(code, {
        nonce: url.searchParams.get('nonce') ?? '',
        redirectUri,
        challenge: url.searchParams.get('code_challenge') ?? '',
        account,
      });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      return { status: 302, headers: { location: back.href }, body: '' };
    }
    if (url.pathname === '/token') {
      const form = new URLSearchParams(await bodyOf(request));
      if (!clientAuthenticated(request, form)) return json({ error: 'invalid_client' }, 401);
      const code = form.get('code') ?? '';
      const issued = codes.get(code);
      // A code is good once (RFC 6749 §4.1.2).
      codes.delete(code);
      if (!issued) return json({ error: 'invalid_grant' }, 400);
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (form.get('redirect_uri') !== issued.redirectUri || challenge !== issued.challenge) {
        return json({ error: 'invalid_grant' }, 400);
      }
      const now = Math.floor(Date.now() / 1000);
      const claims = {
        iss: issuer,
        aud: options.clientId,
        ...issued.account,
        nonce: issued.nonce,
        iat: now,
        exp: now + 300,
        ...tampering.claims,
      };
      const key = tampering.foreignKey ? foreign.privateKey : good.privateKey;
      const idToken = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'good' }).sign(key);
      return json({
        access_token: randomBytes(16).toString('base64url'),
        token_type: 'Bearer',
        expires_in: 300,
        id_token: idToken,
      });
    }
    return json({ error: 'not_found' }, 404);
  }

  /** The client's id and secret, as HTTP Basic or as form parameters (both are Google's). */
  function clientAuthenticated(request: IncomingMessage, form: URLSearchParams): boolean {
    const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (basic) {
      const [id = '', secret = ''] = Buffer.from(basic, 'base64').toString().split(':').map(decodeURIComponent);
      return id === options.clientId && secret === options.clientSecret;
    }
    return form.get('client_id') === options.clientId && form.get('client_secret') === options.clientSecret;
  }

  return {
    issuer,
    /** Its endpoints, as a provider's discovery document names them (`providerEndpoints.google`). */
    endpoints: {
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      id_token_signing_alg_values_supported: ['ES256'],
    },
    /** How many times its discovery document was read. */
    discoveries: () => discoveries,
    /** Who the next authorizations sign in. */
    signInAs(next: StandInAccount) {
      account = next;
    },
    /** What the next ID tokens get wrong (until set again). */
    tamper(next: Tampering) {
      tampering = next;
    },
    close,
  };
}
