/**
 * Test helpers: a stand-in for the network and the server behind `/trpc`, not for our own code.
 * Shared by the single-tab and cross-tab tests of the auth client.
 */

/** Token lifetime the fake server issues, in seconds (the default `ACCESS_TOKEN_TTL`). */
export const TTL_S = 300;

/** The one user the fake server knows. */
export const user = {
  id: 'u1',
  email: 'ada@example.com',
  name: 'Ada',
  role: 'user' as const,
  emailVerified: false,
  twoFactorEnabled: false,
};

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * A session as the server would issue it at `serverNowMs` (the server's own clock). Tokens of one
 * server-side session share `sessionId`; a new sign-in gets a new one.
 *
 * @example
 * server.reply('auth.login', { data: issue(Date.now(), 'first') });
 */
export function issue(serverNowMs: number, label: string, sessionId = 'session-1') {
  const iat = Math.floor(serverNowMs / 1000);
  const claims = { sid: sessionId, iat, exp: iat + TTL_S, jti: label };
  const accessToken = `${encode({ alg: 'EdDSA' })}.${encode(claims)}.sig`;
  return { accessToken, expiresAt: (iat + TTL_S) * 1000, user };
}

/**
 * One answer: data, a tRPC error with its HTTP status (and `data.reason`), a network failure, no
 * answer at all until the request is aborted (`'hang'`), or an answer the test gives later
 * (`deferred`).
 */
export type Reply =
  | { data: unknown }
  | { code: string; status: number; reason?: string }
  | 'network'
  | 'hang'
  | { deferred: Promise<Reply> };

/**
 * A reply the test releases when it chooses, to hold a request on the wire.
 *
 * @example
 * const gate = gatedReply();
 * server.reply('auth.refresh', gate.reply);
 * gate.release({ data: session });
 */
export function gatedReply() {
  let release: (reply: Reply) => void = () => undefined;
  const deferred = new Promise<Reply>((resolve) => {
    release = resolve;
  });
  return { reply: { deferred } satisfies Reply, release: (reply: Reply) => release(reply) };
}

/**
 * A fake `/trpc` behind `fetch`: replies come from per-procedure queues (the last one repeats),
 * and every request is recorded with the Authorization header it carried. Several auth clients
 * may share one, like tabs sharing one server and one cookie jar.
 *
 * @example
 * const server = fakeServer();
 * server.reply('auth.refresh', 'network', { data: issue(Date.now(), 'x') });
 * createAuthClient({ url: '/trpc', fetch: server.fetch });
 */
export function fakeServer() {
  const replies = new Map<string, Reply[]>();
  const requests: Array<{ path: string; authorization: string | null; credentials: RequestCredentials | undefined }> =
    [];

  const fetchImpl: typeof fetch = async (input, init) => {
    const path = new URL(String(input), 'http://localhost').pathname.replace('/trpc/', '');
    requests.push({
      path,
      authorization: new Headers(init?.headers).get('authorization'),
      credentials: init?.credentials,
    });
    const queue = replies.get(path) ?? [];
    let reply = queue.length > 1 ? queue.shift() : queue[0];
    if (reply === undefined) throw new Error(`no reply for ${path}`);
    if (typeof reply === 'object' && 'deferred' in reply) reply = await reply.deferred;
    if (typeof reply === 'object' && 'deferred' in reply)
      throw new Error('a deferred reply must settle to a plain one');
    if (reply === 'network') throw new TypeError('Failed to fetch');
    if (reply === 'hang') {
      return new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      });
    }
    const [status, body] =
      'data' in reply
        ? [200, { result: { data: reply.data } }]
        : [
            reply.status,
            {
              error: {
                code: -32001,
                message: reply.code,
                data: { code: reply.code, httpStatus: reply.status, path, reason: reply.reason ?? null },
              },
            },
          ];
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };

  return {
    fetch: fetchImpl,
    requests,
    reply(path: string, ...queue: Reply[]) {
      replies.set(path, queue);
    },
    count: (path: string) => requests.filter((r) => r.path === path).length,
  };
}
