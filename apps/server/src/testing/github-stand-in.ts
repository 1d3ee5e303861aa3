import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type StandInAnswer as Answer, bodyOf, jsonAnswer as json, serveStandIn } from './stand-in-server';

/** A GitHub account as its REST API describes it (`GET /user`, `GET /user/emails`). */
export interface GithubAccount {
  id: number;
  login: string;
  name: string | null;
  emails: Array<{ email: string; primary: boolean; verified: boolean }>;
}

/**
 * A stand-in for GitHub on 127.0.0.1 that speaks its documented OAuth app endpoints
 * (`/login/oauth/authorize`, `/login/oauth/access_token`) and the two REST endpoints Tessera
 * reads (`/user`, `/user/emails`), as strictly as GitHub does: the client's id and secret as form
 * parameters, the redirect URI it was given, the PKCE verifier for the S256 challenge, each code
 * once, a User-Agent on API calls, and a form-encoded token answer unless JSON is asked for. Its
 * authorize endpoint signs in `signedIn` at once (or answers `access_denied`, as when the user
 * cancels).
 */
export async function startGithubStandIn(options: { clientId: string; clientSecret: string }) {
  const accounts = new Map<string, GithubAccount>();
  const codes = new Map<string, { login: string; redirectUri: string; challenge: string }>();
  const tokens = new Map<string, string>();
  let signedIn = '';
  let userCancels = false;
  let apiDown = false;
  const { origin, close } = await serveStandIn((request) => answer(request));

  async function answer(request: IncomingMessage): Promise<Answer> {
    const url = new URL(request.url ?? '/', origin);
    if (request.method === 'GET' && url.pathname === '/login/oauth/authorize') return authorize(url.searchParams);
    if (request.method === 'POST' && url.pathname === '/login/oauth/access_token') {
      const body = exchange(new URLSearchParams(await bodyOf(request)));
      // GitHub answers form-encoded unless the client asks for JSON.
      if (request.headers.accept?.includes('application/json')) return json(body);
      return {
        status: 200,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body).toString(),
      };
    }
    if (request.method === 'GET' && (url.pathname === '/user' || url.pathname === '/user/emails')) {
      // "Request forbidden by administrative rules. Please make sure your request has a User-Agent header."
      if (!request.headers['user-agent']) return json({ message: 'Missing User-Agent' }, 403);
      if (apiDown) return json({ message: 'Server Error' }, 502);
      const token = /^(?:Bearer|token) (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
      const account = accounts.get(tokens.get(token ?? '') ?? '');
      if (!account) return json({ message: 'Bad credentials' }, 401);
      if (url.pathname === '/user') {
        return json({ id: account.id, login: account.login, name: account.name, email: null, type: 'User' });
      }
      return json(account.emails.map((each) => ({ ...each, visibility: each.primary ? 'private' : null })));
    }
    return json({ message: 'Not Found' }, 404);
  }

  function authorize(query: URLSearchParams): Answer {
    const redirectUri = query.get('redirect_uri') ?? '';
    if (query.get('client_id') !== options.clientId) return json({ message: 'unknown client' }, 404);
    if (query.get('code_challenge_method') !== 'S256' || !query.get('code_challenge')) {
      return json({ message: 'PKCE with S256 expected' }, 400);
    }
    const back = new URL(redirectUri);
    if (userCancels) {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The user has denied your application access.');
    } else {
      const code = randomBytes(10).toString('hex');
      codes.set(code, { login: signedIn, redirectUri, challenge: query.get('code_challenge') ?? '' });
      back.searchParams.set('code', code);
    }
    back.searchParams.set('state', query.get('state') ?? '');
    return { status: 302, headers: { location: back.href }, body: '' };
  }

  /** The token endpoint's answer; GitHub reports errors with status 200 and an `error` field. */
  function exchange(form: URLSearchParams): Record<string, string> {
    if (form.get('client_id') !== options.clientId || form.get('client_secret') !== options.clientSecret) {
      return { error: 'incorrect_client_credentials' };
    }
    const code = form.get('code') ?? '';
    const issued = codes.get(code);
    codes.delete(code);
    if (!issued) return { error: 'bad_verification_code' };
    if (form.get('redirect_uri') !== issued.redirectUri) return { error: 'redirect_uri_mismatch' };
    const verifier = form.get('code_verifier') ?? '';
    if (createHash('sha256').update(verifier).digest('base64url') !== issued.challenge) {
      return { error: 'bad_verification_code', error_description: 'code_verifier does not match' };
    }
    const token = `gho_${randomBytes(18).toString('hex')}`;
    tokens.set(token, issued.login);
    return { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' };
  }

  return {
    /** Where GitHub is: `startServer`'s `providerEndpoints.github`. */
    endpoints: { web: origin, api: origin },
    accounts: {
      set: (account: GithubAccount) => accounts.set(account.login, account),
    },
    /** Who the next authorization signs in, by login; or that the user cancels at GitHub. */
    next(login: string | { cancel: true }) {
      userCancels = typeof login !== 'string';
      signedIn = typeof login === 'string' ? login : '';
    },
    /** The REST API answers 502 (GitHub down after the code was issued). */
    setApiDown(down: boolean) {
      apiDown = down;
    },
    close,
  };
}
