import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import { DEFAULT_REVOCATION_POLL_MS, DEFAULT_RP_NAME, DPOP_POLICIES, defaultAuthConfig } from '@tessera/auth';
import { DEFAULT_MAIL_FROM } from '@tessera/mail';
import { z } from 'zod';

const seconds = (fallback: number, max: number) =>
  z.coerce
    .number({ error: 'must be a whole number of seconds' })
    .int('must be a whole number of seconds')
    .min(0, 'must not be negative')
    .max(max, `must be at most ${max} seconds`)
    .default(fallback);

const milliseconds = (fallback: number, min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a whole number of milliseconds' })
    .int('must be a whole number of milliseconds')
    .min(min, `must be at least ${min} ms`)
    .max(max, `must be at most ${max} ms`)
    .default(fallback);

/** The request-arrival limit when REQUEST_TIMEOUT_MS is unset. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
/** The idle keep-alive limit when KEEP_ALIVE_TIMEOUT_MS is unset (Node's own default). */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 5_000;

/** Where plain http is a secure context, so the `__Secure-` refresh cookie is kept. */
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** A development origin (localhost, 127.0.0.1, [::1]): only its own machine's users reach it. */
export function isLocalOrigin(origin: string): boolean {
  return LOCAL_HOSTS.has(new URL(origin).hostname);
}

/** Where `npm start` keeps its data when DATABASE_URL is unset. */
export const DEFAULT_DATABASE_URL = './data/tessera.db';

/**
 * DATABASE_URL as set, before validation: what a command-line tool names in its answer even
 * when the rest of the environment is refused.
 */
export function rawDatabaseUrl(source: NodeJS.ProcessEnv = process.env): string {
  return source.DATABASE_URL?.trim() || DEFAULT_DATABASE_URL;
}

/**
 * A SQLite path (`./data/tessera.db`), a `file:` URL relative to the working directory
 * (`file:./data/x.db`) or absolute (`file:///var/lib/x.db`), or `postgres://` / `postgresql://`.
 * Anything else with a scheme (`sqlite:`, `mysql://`) is refused rather than taken as a file name.
 */
const databaseUrl = z
  .string()
  .min(1)
  .default(DEFAULT_DATABASE_URL)
  .transform((value, context) => {
    if (/^postgres(ql)?:\/\//i.test(value)) return value;
    if (value.startsWith('file://')) return fileURLToPath(value);
    if (value.startsWith('file:')) return value.slice('file:'.length);
    if (/^[a-z][a-z0-9+.-]*:/i.test(value) && value !== ':memory:') {
      context.addIssue({
        code: 'custom',
        message: 'must be a file path (./data/tessera.db), a file: URL, or postgres://…',
      });
      return z.NEVER;
    }
    return value;
  });

/** A key-encryption key as an operator writes it: 32 random bytes in base64. */
const secretKey = z
  .string()
  .transform((value) => Buffer.from(value, 'base64'))
  .refine((key) => key.length === 32, 'must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`)');

/** proxy-addr's named ranges, which Fastify accepts in a list of trusted proxies. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

const isAddressOrRange = (entry: string): boolean => {
  if (NAMED_RANGES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d+$/.test(prefix) && bits >= 0 && bits <= (family === 4 ? 32 : 128);
};

/**
 * Which proxies' `X-Forwarded-For` to believe, in Fastify's own forms: a hop count (`1`: one
 * proxy in front) or a comma-separated list of proxy addresses and CIDR ranges. The client is
 * then the right-most address no trusted proxy added. `true` (believe every hop) would let any
 * client name its own address, so it is refused with what to write instead.
 */
const trustProxy = z
  .string()
  .default('false')
  .transform((value, context): false | number | string => {
    const normalised = value.trim().toLowerCase();
    if (['false', '0', 'off', 'no'].includes(normalised)) return false;
    if (['true', 'on', 'yes'].includes(normalised)) {
      context.addIssue({
        code: 'custom',
        message:
          'true would let any client choose its own address; give the number of proxies in front of the server (e.g. 1) or their addresses (e.g. 10.0.0.1,10.0.0.0/8)',
      });
      return z.NEVER;
    }
    if (/^\d+$/.test(normalised)) return Number(normalised);
    const entries = normalised.split(',').map((entry) => entry.trim());
    const wrong = entries.filter((entry) => !isAddressOrRange(entry));
    if (wrong.length > 0) {
      context.addIssue({
        code: 'custom',
        message: `must be a hop count or a list of proxy addresses or CIDR ranges; not understood: ${wrong.join(', ')}`,
      });
      return z.NEVER;
    }
    return entries.join(',');
  });

const envSchema = z.object({
  PORT: z.coerce
    .number({ error: 'must be a port number' })
    .int('must be a port number')
    .min(0, 'must be a port number')
    .max(65_535, 'must be a port number')
    .default(3000),
  HOST: z.string().min(1).default('localhost'),
  DATABASE_URL: databaseUrl,
  PUBLIC_ORIGIN: z
    .url('must be an origin such as https://app.example.com')
    // `https://app.example.com/`, as an address bar shows it, names the same origin: take it.
    .transform((value) =>
      value.endsWith('/') && new URL(value).origin === value.slice(0, -1) ? value.slice(0, -1) : value,
    )
    .refine(
      (value) => new URL(value).origin === value,
      'must be an origin: scheme, host and port only, no path, query or fragment',
    )
    // Browsers drop a `Secure` cookie set over plain http anywhere but localhost: every reload
    // would sign the user out, silently.
    .refine(
      (value) => new URL(value).protocol === 'https:' || isLocalOrigin(value),
      'must use https (plain http works only on localhost or 127.0.0.1, for development): browsers refuse the Secure refresh cookie over http elsewhere, and every reload would sign users out',
    )
    .optional(),
  ACCESS_TOKEN_TTL: seconds(defaultAuthConfig.accessTokenTtl, 86_400).refine(
    (value) => value > 0,
    'must be at least 1 second',
  ),
  REFRESH_IDLE_TTL: seconds(defaultAuthConfig.refreshIdleTtl, 31_536_000).refine(
    (value) => value > 0,
    'must be at least 1 second',
  ),
  SESSION_MAX_AGE: seconds(defaultAuthConfig.sessionMaxAge, 31_536_000).refine(
    (value) => value > 0,
    'must be at least 1 second',
  ),
  // Past a minute a grace window is a replay window, not a retry window.
  REFRESH_REUSE_GRACE: seconds(defaultAuthConfig.refreshReuseGrace, 60),
  TRUST_PROXY: trustProxy,
  RATE_LIMIT: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
  SECRET_KEY: secretKey.optional(),
  // Keys being rotated out, comma-separated: what they sealed still opens, and is sealed anew.
  SECRET_KEY_PREVIOUS: z
    .string()
    .transform((value) => value.split(',').map((key) => key.trim()))
    .pipe(z.array(secretKey))
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  REVOCATION_POLL_MS: z.coerce
    .number({ error: 'must be a whole number of milliseconds' })
    .int('must be a whole number of milliseconds')
    .min(10, 'must be at least 10 ms')
    // Other processes learn of a revocation within one poll: past a second, the promise breaks.
    .max(1000, 'must be at most 1000 ms (revocations reach every process within 1 s)')
    .default(DEFAULT_REVOCATION_POLL_MS),
  // Mail (password reset, email verification); how it leaves is settled below, with PUBLIC_ORIGIN.
  SMTP_URL: z
    .url('must be a URL such as smtp://user:password@mail.example.com:587')
    .refine(
      (value) => ['smtp:', 'smtps:'].includes(new URL(value).protocol),
      'must start with smtp:// (STARTTLS when offered) or smtps:// (TLS from the start)',
    )
    .optional(),
  // `smtp` sends through SMTP_URL; `log` writes each message, link included, to the log.
  MAIL_TRANSPORT: z.enum(['smtp', 'log'], { error: 'must be smtp or log' }).optional(),
  MAIL_FROM: z.string().min(3).default(DEFAULT_MAIL_FROM),
  PASSWORD_RESET_TTL: seconds(defaultAuthConfig.passwordResetTtl, 86_400).refine(
    (value) => value >= 1,
    'must be at least 1 second (minutes in practice: time to open the mail)',
  ),
  // How long the link that confirms a new address works (the old address's undo link: 7 days).
  EMAIL_CHANGE_TTL: seconds(defaultAuthConfig.emailChangeTtl, 7 * 86_400).refine(
    (value) => value >= 60,
    'must be at least 60 seconds (time to open the mail)',
  ),
  REQUIRE_VERIFIED_EMAIL: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('false')
    .transform((value) => value === 'true'),
  // Admins must set up two-step verification before admin procedures answer them.
  REQUIRE_2FA_FOR_ADMINS: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('false')
    .transform((value) => value === 'true'),
  // DPoP (RFC 9449): `optional` binds the sessions of clients that prove a device key (the SPA
  // does), `required` refuses every sign-in, refresh and token without one (docs/security.md).
  DPOP: z.enum(DPOP_POLICIES, { error: 'must be optional or required' }).default('optional'),
  // Proofs must carry a nonce the server hands out (DPoP-Nonce): a proof made ahead of time is
  // worthless a minute later, at the cost of one retry after a quiet minute.
  DPOP_NONCE: z.enum(['on', 'off'], { error: 'must be on or off' }).default('off'),
  // How long a proof of the password or a passkey counts for a sensitive change (adding a passkey).
  REAUTH_MAX_AGE: seconds(defaultAuthConfig.reauthMaxAge, 86_400).refine(
    (value) => value >= 30,
    'must be at least 30 seconds (time to finish what the proof was asked for)',
  ),
  // The name browsers and authenticators show for this site's passkeys.
  RP_NAME: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(64, 'must be at most 64 characters')
    .refine((value) => !/\p{Cc}/u.test(value), 'must not contain control characters')
    .default(DEFAULT_RP_NAME),
  // Connections each instance keeps to PostgreSQL; ignored on SQLite.
  DATABASE_POOL_MAX: z.coerce
    .number({ error: 'must be a whole number of connections' })
    .int('must be a whole number of connections')
    .min(1, 'must be at least 1')
    .max(1000, 'must be at most 1000')
    .default(10),
  // Slow clients (issue 20, finding 12): a request must arrive whole, headers and body, within
  // this long, or it is answered 408 and its connection closed, so a client dribbling bytes
  // cannot hold a connection for minutes. Our bodies are at most 64 KiB.
  REQUEST_TIMEOUT_MS: milliseconds(DEFAULT_REQUEST_TIMEOUT_MS, 1_000, 300_000),
  // An idle keep-alive connection is closed after this long. Behind a load balancer that reuses
  // idle connections, it must exceed the balancer's idle timeout (AWS ALB: 60 s, so 65000).
  KEEP_ALIVE_TIMEOUT_MS: milliseconds(DEFAULT_KEEP_ALIVE_TIMEOUT_MS, 1_000, 3_600_000),
  // Sign-in with GitHub (an OAuth app's client id and secret) and with Google (an OAuth client
  // of type "Web application"): each pair goes together.
  GITHUB_CLIENT_ID: z.string().min(1).max(512).optional(),
  GITHUB_CLIENT_SECRET: z.string().min(1).max(2048).optional(),
  GOOGLE_CLIENT_ID: z.string().min(1).max(512).optional(),
  GOOGLE_CLIENT_SECRET: z.string().min(1).max(2048).optional(),
  // Sign-in with any OpenID Connect provider: its issuer (discovery), this app's client at it,
  // and the name its button shows ("Continue with <OIDC_NAME>"). The three first go together.
  OIDC_ISSUER: z
    .url("must be the provider's issuer URL, such as https://login.example.com")
    .refine((value) => !URL.canParse(value) || /^https?:$/.test(new URL(value).protocol), 'must be an http(s) URL')
    .optional(),
  OIDC_CLIENT_ID: z.string().min(1).max(512).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).max(2048).optional(),
  OIDC_NAME: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(40, 'must be at most 40 characters')
    .refine((value) => !/\p{Cc}/u.test(value), 'must not contain control characters')
    .default('OpenID Connect'),
});

/** Every variable the server reads: dev mode passes each one through turbo (turbo.json). */
export const ENV_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

/** How mail leaves, settled: SMTP always with its URL. */
type MailSettings = { MAIL_TRANSPORT: 'smtp'; SMTP_URL: string } | { MAIL_TRANSPORT: 'log' };

const withDefaults = envSchema
  .refine((env) => !/^postgres(ql)?:\/\//i.test(env.DATABASE_URL) || env.SECRET_KEY !== undefined, {
    path: ['SECRET_KEY'],
    message:
      'is required with PostgreSQL: every instance must seal and open the stored keys with the same key (e.g. `openssl rand -base64 32`)',
  })
  .superRefine((env, context) => {
    // A provider is configured whole or not at all: name what is missing.
    const providers = {
      'sign-in with GitHub': { GITHUB_CLIENT_ID: env.GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET: env.GITHUB_CLIENT_SECRET },
      'sign-in with Google': { GOOGLE_CLIENT_ID: env.GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET: env.GOOGLE_CLIENT_SECRET },
      'sign-in with OpenID Connect': {
        OIDC_ISSUER: env.OIDC_ISSUER,
        OIDC_CLIENT_ID: env.OIDC_CLIENT_ID,
        OIDC_CLIENT_SECRET: env.OIDC_CLIENT_SECRET,
      },
    };
    for (const [purpose, variables] of Object.entries(providers)) {
      const entries = Object.entries(variables);
      const set = entries.filter(([, value]) => value !== undefined).map(([name]) => name);
      if (set.length === 0 || set.length === entries.length) continue;
      for (const [name, value] of entries) {
        if (value !== undefined) continue;
        context.addIssue({
          code: 'custom',
          path: [name],
          message: `is required with ${set.join(' and ')} (${purpose})`,
        });
      }
    }
  })
  .transform((env, context) => {
    // Unset, the origin follows PORT, so `PORT=4000 npm start` works in a browser as it is.
    const PUBLIC_ORIGIN = env.PUBLIC_ORIGIN ?? `http://localhost:${env.PORT}`;
    const mail = mailSettings(env.MAIL_TRANSPORT, env.SMTP_URL, PUBLIC_ORIGIN);
    if (typeof mail === 'string') {
      context.addIssue({ code: 'custom', path: ['SMTP_URL'], message: mail });
      return z.NEVER;
    }
    return { ...env, PUBLIC_ORIGIN, ...mail };
  });

/**
 * SMTP when SMTP_URL is set, the log on localhost without it. Elsewhere a logged mail hands its
 * reset link to every reader of the log (issue 20, finding 6): without SMTP_URL the server does
 * not start unless MAIL_TRANSPORT=log says that is meant. Returns what is wrong, for SMTP_URL.
 */
function mailSettings(
  transport: 'smtp' | 'log' | undefined,
  smtpUrl: string | undefined,
  origin: string,
): MailSettings | string {
  if (transport === 'log') return { MAIL_TRANSPORT: 'log' };
  if (smtpUrl) return { MAIL_TRANSPORT: 'smtp', SMTP_URL: smtpUrl };
  if (transport === 'smtp') return 'is required with MAIL_TRANSPORT=smtp';
  if (isLocalOrigin(origin)) return { MAIL_TRANSPORT: 'log' };
  return (
    `is required when PUBLIC_ORIGIN is not localhost (${origin}): without it every mail, reset links included, ` +
    'would be written to the log. Set SMTP_URL, or MAIL_TRANSPORT=log to log mail on purpose'
  );
}

export type Env = z.infer<typeof withDefaults>;

/** A bad environment: the message names every offending variable, for the operator. */
export class EnvError extends Error {
  override readonly name = 'EnvError';
}

/**
 * Reads and validates the configuration; the only reader of `process.env`. An empty variable
 * counts as unset, so `PORT= npm start` means the default.
 *
 * @example
 * const env = loadEnv(); // throws EnvError: "Invalid environment:\n  PORT: must be a port number"
 */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const present = Object.fromEntries(
    Object.keys(envSchema.shape).flatMap((key) => {
      const value = source[key]?.trim();
      return value ? [[key, value]] : [];
    }),
  );
  const parsed = withDefaults.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new EnvError(`Invalid environment:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
