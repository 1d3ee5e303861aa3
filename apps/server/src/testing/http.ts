import { connect } from 'node:net';

/** What a test needs of a tRPC answer over raw HTTP. */
export interface TrpcAnswer {
  status: number;
  headers: Headers;
  /** The tRPC error code, or null on success. */
  code: string | null;
  /** `data.reason` of an UNAUTHORIZED or TOO_MANY_REQUESTS error, else null. */
  reason: string | null;
  message: string | null;
  /** The parsed body (for a batch, an array). */
  body: unknown;
  text: string;
}

/**
 * Calls a procedure with plain `fetch`, as any HTTP client could: a mutation by POST with a JSON
 * body, a query by GET with `?input=`.
 *
 * @example
 * const answer = await callProcedure(url, 'auth.login', { input: { email, password } });
 */
export async function callProcedure(
  baseUrl: string,
  path: string,
  options: { input?: unknown; headers?: Record<string, string>; method?: 'GET' | 'POST'; body?: string } = {},
): Promise<TrpcAnswer> {
  const method = options.method ?? 'POST';
  const query =
    method === 'GET' && options.input !== undefined
      ? `?input=${encodeURIComponent(JSON.stringify(options.input))}`
      : '';
  const body =
    method === 'POST'
      ? (options.body ?? (options.input === undefined ? undefined : JSON.stringify(options.input)))
      : undefined;
  const response = await fetch(`${baseUrl}/trpc/${path}${query}`, {
    method,
    headers: { ...(method === 'POST' ? { 'content-type': 'application/json' } : {}), ...options.headers },
    body,
  });
  return toAnswer(response);
}

export async function toAnswer(response: Response): Promise<TrpcAnswer> {
  const text = await response.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  const error = (body as { error?: { message?: string; data?: { code?: string; reason?: string | null } } } | null)
    ?.error;
  return {
    status: response.status,
    headers: response.headers,
    code: error?.data?.code ?? null,
    reason: error?.data?.reason ?? null,
    message: error?.message ?? null,
    body,
    text,
  };
}

/**
 * Sends an HTTP/1.1 request exactly as written, header lines included: for what `fetch` will not
 * send, such as one header twice.
 *
 * @example
 * const { status, body } = await rawRequest(url, ['GET /trpc/auth.me HTTP/1.1', 'Authorization: Bearer a', 'Authorization: Bearer b']);
 */
export function rawRequest(baseUrl: string, lines: string[], body = ''): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      const head = [
        ...lines,
        `Host: ${hostname}:${port}`,
        'Connection: close',
        `Content-Length: ${Buffer.byteLength(body)}`,
      ];
      socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
    });
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8');
    });
    socket.on('error', reject);
    socket.on('end', () => {
      const [head = '', ...rest] = received.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), body: rest.join('\r\n\r\n') });
    });
  });
}

/** The refresh token from a response's Set-Cookie, or null. */
export function refreshTokenFrom(headers: Headers): string | null {
  const cookie = headers.getSetCookie().find((line) => line.startsWith('__Secure-tessera_refresh='));
  return cookie?.split(';')[0]?.split('=')[1] || null;
}

/** A freshly registered account's credentials, as a browser would hold them. */
export interface RegisteredUser {
  accessToken: string;
  refreshToken: string;
  /** The raw answer, for tests that inspect its headers. */
  answer: TrpcAnswer;
}

/**
 * Registers an account over HTTP and returns its tokens; throws if the server refused.
 *
 * @example
 * const { accessToken, refreshToken } = await registerUser(server.url, 'ada@example.com');
 */
export async function registerUser(
  baseUrl: string,
  email: string,
  options: { password?: string; headers?: Record<string, string> } = {},
): Promise<RegisteredUser> {
  const answer = await callProcedure(baseUrl, 'auth.register', {
    input: { email, password: options.password ?? 'a strong password' },
    headers: options.headers,
  });
  const accessToken = (answer.body as { result?: { data?: { accessToken?: string } } } | null)?.result?.data
    ?.accessToken;
  const refreshToken = refreshTokenFrom(answer.headers);
  if (!accessToken || !refreshToken) throw new Error(`registering ${email} failed: ${answer.status} ${answer.text}`);
  return { accessToken, refreshToken, answer };
}
