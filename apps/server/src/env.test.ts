import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_VARIABLES, EnvError, loadEnv } from './env';

describe('loadEnv', () => {
  it('applies the contract’s defaults', () => {
    expect(loadEnv({})).toEqual({
      PORT: 3000,
      HOST: 'localhost',
      DATABASE_URL: './data/tessera.db',
      PUBLIC_ORIGIN: 'http://localhost:3000',
      ACCESS_TOKEN_TTL: 300,
      REFRESH_IDLE_TTL: 604_800,
      SESSION_MAX_AGE: 2_592_000,
      REFRESH_REUSE_GRACE: 10,
      TRUST_PROXY: false,
      RATE_LIMIT: 'on',
      REAUTH_MAX_AGE: 600,
      LOG_LEVEL: 'info',
      REVOCATION_POLL_MS: 250,
      DATABASE_POOL_MAX: 10,
      MAIL_TRANSPORT: 'log',
      MAIL_FROM: 'Tessera <no-reply@localhost>',
      PASSWORD_RESET_TTL: 1800,
      EMAIL_CHANGE_TTL: 3600,
      REQUIRE_VERIFIED_EMAIL: false,
      REQUIRE_2FA_FOR_ADMINS: false,
      DPOP: 'optional',
      DPOP_NONCE: 'off',
      OIDC_NAME: 'OpenID Connect',
      RP_NAME: 'Tessera',
      REQUEST_TIMEOUT_MS: 15_000,
      KEEP_ALIVE_TIMEOUT_MS: 5_000,
    });
  });

  /** @see issue 26: `https://app.example.com/`, copied from an address bar, was refused. */
  it('takes a PUBLIC_ORIGIN with a trailing slash as the origin it names', () => {
    expect(loadEnv({ PUBLIC_ORIGIN: 'http://localhost:3000/' }).PUBLIC_ORIGIN).toBe('http://localhost:3000');
  });

  it('derives the default PUBLIC_ORIGIN from PORT', () => {
    expect(loadEnv({ PORT: '4000' }).PUBLIC_ORIGIN).toBe('http://localhost:4000');
  });

  it('reads values as an operator writes them, and treats empty as unset', () => {
    const env = loadEnv({
      PORT: '8080',
      ACCESS_TOKEN_TTL: '2',
      TRUST_PROXY: '2',
      PUBLIC_ORIGIN: 'https://app.example.com',
      SMTP_URL: 'smtp://mail.example.com',
      HOST: '',
    });
    expect(env).toMatchObject({
      PORT: 8080,
      ACCESS_TOKEN_TTL: 2,
      TRUST_PROXY: 2,
      PUBLIC_ORIGIN: 'https://app.example.com',
      HOST: 'localhost',
    });
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['ACCESS_TOKEN_TTL', '1.5'],
    ['ACCESS_TOKEN_TTL', '0'],
    ['REFRESH_REUSE_GRACE', '-1'],
    ['PUBLIC_ORIGIN', 'localhost:3000'],
    ['PUBLIC_ORIGIN', 'https://app.example.com/app'],
    ['PUBLIC_ORIGIN', 'https://app.example.com/?x=1'],
    ['TRUST_PROXY', 'maybe'],
    ['TRUST_PROXY', '10.0.0.0/33'],
    ['TRUST_PROXY', '10.0.0.1, evil'],
    ['REFRESH_REUSE_GRACE', '61'],
    ['RATE_LIMIT', 'maybe'],
    ['LOG_LEVEL', 'loud'],
    ['REVOCATION_POLL_MS', '0'],
    ['REVOCATION_POLL_MS', '5000'],
    ['MAIL_TRANSPORT', 'sendmail'],
    ['REQUEST_TIMEOUT_MS', '999'],
    ['REQUEST_TIMEOUT_MS', '300001'],
    ['REQUEST_TIMEOUT_MS', '1.5'],
    ['KEEP_ALIVE_TIMEOUT_MS', '0'],
    ['KEEP_ALIVE_TIMEOUT_MS', 'long'],
  ])('refuses %s=%s with a message naming the variable', (name, value) => {
    expect(() => loadEnv({ [name]: value })).toThrow(EnvError);
    expect(() => loadEnv({ [name]: value })).toThrow(new RegExp(`^Invalid environment:\\n  ${name}: `));
  });

  it('refuses TRUST_PROXY=true, saying what to write instead', () => {
    expect(() => loadEnv({ TRUST_PROXY: 'true' })).toThrow(
      /TRUST_PROXY: true would let any client choose its own address; give the number of proxies/,
    );
  });

  it('takes TRUST_PROXY as a hop count or a list of proxy addresses and ranges, as Fastify does', () => {
    expect(loadEnv({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(loadEnv({ TRUST_PROXY: '10.0.0.1, 10.1.0.0/16,::1,fd00::/8,loopback' }).TRUST_PROXY).toBe(
      '10.0.0.1,10.1.0.0/16,::1,fd00::/8,loopback',
    );
    expect(loadEnv({ TRUST_PROXY: 'off' }).TRUST_PROXY).toBe(false);
  });

  /** @see issue 10, point 3: an http origin on a LAN address silently broke every reload. */
  it('refuses a plain-http PUBLIC_ORIGIN other than localhost, saying to use https', () => {
    expect(() => loadEnv({ PUBLIC_ORIGIN: 'http://192.0.2.2:4130' })).toThrow(/PUBLIC_ORIGIN: must use https/);
    expect(loadEnv({ PUBLIC_ORIGIN: 'http://127.0.0.1:4130' }).PUBLIC_ORIGIN).toBe('http://127.0.0.1:4130');
    expect(loadEnv({ PUBLIC_ORIGIN: 'https://app.example.com', MAIL_TRANSPORT: 'log' }).PUBLIC_ORIGIN).toBe(
      'https://app.example.com',
    );
  });

  /** @see issue 10, point 4: `file:./data/x.db` landed at /data/x.db, `sqlite:./x.db` made a folder named `sqlite:.`. */
  it('takes DATABASE_URL as a path, a file: URL relative to the working directory, or postgres://, and refuses the rest', () => {
    expect(loadEnv({ DATABASE_URL: './data/x.db' }).DATABASE_URL).toBe('./data/x.db');
    expect(loadEnv({ DATABASE_URL: 'file:./data/x.db' }).DATABASE_URL).toBe('./data/x.db');
    expect(loadEnv({ DATABASE_URL: 'file:///var/lib/tessera/x.db' }).DATABASE_URL).toBe('/var/lib/tessera/x.db');
    const key = Buffer.alloc(32, 1).toString('base64');
    expect(loadEnv({ DATABASE_URL: 'postgresql://localhost/tessera', SECRET_KEY: key }).DATABASE_URL).toBe(
      'postgresql://localhost/tessera',
    );
    // Every instance must open what another sealed: a key per instance (secret.key) cannot do.
    expect(() => loadEnv({ DATABASE_URL: 'postgres://localhost/tessera' })).toThrow(
      /SECRET_KEY: is required with PostgreSQL/,
    );
    expect(() => loadEnv({ DATABASE_URL: 'sqlite:./data/x.db' })).toThrow(/DATABASE_URL: must be a file path/);
    expect(() => loadEnv({ DATABASE_URL: 'mysql://localhost/x' })).toThrow(/DATABASE_URL: must be a file path/);
  });

  it('takes the mail settings, and refuses an SMTP_URL that is not smtp:// or smtps://', () => {
    const env = loadEnv({ SMTP_URL: 'smtp://u:p@mail.example.com:587', REQUIRE_VERIFIED_EMAIL: 'true' });
    expect(env.SMTP_URL).toBe('smtp://u:p@mail.example.com:587');
    expect(env.REQUIRE_VERIFIED_EMAIL).toBe(true);
    expect(() => loadEnv({ SMTP_URL: 'http://mail.example.com' })).toThrow(/SMTP_URL: must start with smtp:\/\//);
    expect(() => loadEnv({ PASSWORD_RESET_TTL: '0' })).toThrow(/PASSWORD_RESET_TTL: must be at least 1 second/);
    expect(() => loadEnv({ PASSWORD_RESET_TTL: '86401' })).toThrow(/PASSWORD_RESET_TTL: must be at most 86400 seconds/);
    expect(() => loadEnv({ REQUIRE_VERIFIED_EMAIL: 'yes' })).toThrow(/REQUIRE_VERIFIED_EMAIL: must be true or false/);
    expect(loadEnv({ REQUIRE_2FA_FOR_ADMINS: 'true' }).REQUIRE_2FA_FOR_ADMINS).toBe(true);
    expect(() => loadEnv({ REQUIRE_2FA_FOR_ADMINS: '1' })).toThrow(/REQUIRE_2FA_FOR_ADMINS: must be true or false/);
  });

  it('takes the DPoP policy and nonce switch, and names what it expects otherwise', () => {
    expect(loadEnv({ DPOP: 'required', DPOP_NONCE: 'on' })).toMatchObject({ DPOP: 'required', DPOP_NONCE: 'on' });
    expect(() => loadEnv({ DPOP: 'yes' })).toThrow(/DPOP: must be optional or required/);
    expect(() => loadEnv({ DPOP_NONCE: 'true' })).toThrow(/DPOP_NONCE: must be on or off/);
  });

  it('takes an OpenID Connect provider whole, naming what is missing, or not at all', () => {
    const oidc = { OIDC_ISSUER: 'https://login.example.com', OIDC_CLIENT_ID: 'tessera', OIDC_CLIENT_SECRET: 's3cret' };
    expect(loadEnv({ ...oidc, OIDC_NAME: 'Example' })).toMatchObject({ ...oidc, OIDC_NAME: 'Example' });
    expect(() => loadEnv({ OIDC_ISSUER: oidc.OIDC_ISSUER })).toThrow(
      /OIDC_CLIENT_ID: is required with OIDC_ISSUER[\s\S]*OIDC_CLIENT_SECRET: is required with OIDC_ISSUER/,
    );
    expect(() => loadEnv({ ...oidc, OIDC_ISSUER: 'login.example.com' })).toThrow(
      /OIDC_ISSUER: must be the provider's issuer URL/,
    );
    expect(() => loadEnv({ ...oidc, OIDC_ISSUER: 'ftp://login.example.com' })).toThrow(
      /OIDC_ISSUER: must be an http\(s\) URL/,
    );
  });

  it('takes GitHub and Google each as a client id with its secret, naming what is missing', () => {
    const github = { GITHUB_CLIENT_ID: 'Iv1.0123456789abcdef', GITHUB_CLIENT_SECRET: 'gh-s3cret' };
    const google = { GOOGLE_CLIENT_ID: '1234.apps.googleusercontent.com', GOOGLE_CLIENT_SECRET: 'GOCSPX-s3cret' };
    expect(loadEnv({ ...github, ...google })).toMatchObject({ ...github, ...google });
    expect(() => loadEnv({ GITHUB_CLIENT_ID: github.GITHUB_CLIENT_ID })).toThrow(
      /GITHUB_CLIENT_SECRET: is required with GITHUB_CLIENT_ID \(sign-in with GitHub\)/,
    );
    expect(() => loadEnv({ GOOGLE_CLIENT_SECRET: google.GOOGLE_CLIENT_SECRET })).toThrow(
      /GOOGLE_CLIENT_ID: is required with GOOGLE_CLIENT_SECRET \(sign-in with Google\)/,
    );
    expect(() => loadEnv({ ...github, GITHUB_CLIENT_SECRET: '' })).toThrow(/GITHUB_CLIENT_SECRET: /);
  });

  /** @see issue 20, finding 6: without SMTP_URL, a production server logged every reset link, silently. */
  describe('how mail leaves (MAIL_TRANSPORT)', () => {
    const smtp = 'smtp://mail.example.com:587';

    it('refuses to start outside localhost without SMTP_URL, naming SMTP_URL and MAIL_TRANSPORT=log', () => {
      for (const origin of ['https://app.example.com', 'https://192.0.2.2:8443']) {
        expect(() => loadEnv({ PUBLIC_ORIGIN: origin })).toThrow(EnvError);
        expect(() => loadEnv({ PUBLIC_ORIGIN: origin })).toThrow(
          /^Invalid environment:\n {2}SMTP_URL: is required when PUBLIC_ORIGIN is not localhost .*MAIL_TRANSPORT=log/,
        );
      }
      expect(() => loadEnv({ PUBLIC_ORIGIN: 'https://app.example.com', MAIL_TRANSPORT: 'smtp' })).toThrow(
        /^Invalid environment:\n {2}SMTP_URL: is required with MAIL_TRANSPORT=smtp$/,
      );
    });

    it('refuses MAIL_TRANSPORT=smtp without SMTP_URL, on localhost too', () => {
      expect(() => loadEnv({ MAIL_TRANSPORT: 'smtp' })).toThrow(/SMTP_URL: is required with MAIL_TRANSPORT=smtp/);
    });

    it('sends through SMTP_URL when it is set, wherever the server runs', () => {
      expect(loadEnv({ PUBLIC_ORIGIN: 'https://app.example.com', SMTP_URL: smtp })).toMatchObject({
        MAIL_TRANSPORT: 'smtp',
        SMTP_URL: smtp,
      });
      expect(loadEnv({ SMTP_URL: smtp, MAIL_TRANSPORT: 'smtp' }).MAIL_TRANSPORT).toBe('smtp');
      expect(loadEnv({ SMTP_URL: smtp }).MAIL_TRANSPORT).toBe('smtp');
    });

    it('logs mail on localhost without SMTP_URL, and elsewhere only when MAIL_TRANSPORT=log says so', () => {
      for (const origin of [
        'http://localhost:3000',
        'http://127.0.0.1:3000',
        'http://[::1]:3000',
        'https://localhost',
      ]) {
        expect(loadEnv({ PUBLIC_ORIGIN: origin }).MAIL_TRANSPORT).toBe('log');
      }
      expect(loadEnv({ PUBLIC_ORIGIN: 'https://app.example.com', MAIL_TRANSPORT: 'log' }).MAIL_TRANSPORT).toBe('log');
      // Said explicitly, the log wins over an SMTP_URL left in the environment.
      expect(loadEnv({ SMTP_URL: smtp, MAIL_TRANSPORT: 'log' }).MAIL_TRANSPORT).toBe('log');
    });
  });

  it('takes the connection limits in milliseconds', () => {
    expect(loadEnv({ REQUEST_TIMEOUT_MS: '30000', KEEP_ALIVE_TIMEOUT_MS: '65000' })).toMatchObject({
      REQUEST_TIMEOUT_MS: 30_000,
      KEEP_ALIVE_TIMEOUT_MS: 65_000,
    });
    expect(() => loadEnv({ REQUEST_TIMEOUT_MS: '500' })).toThrow(/REQUEST_TIMEOUT_MS: must be at least 1000 ms/);
  });

  it('bounds DATABASE_POOL_MAX', () => {
    expect(loadEnv({ DATABASE_POOL_MAX: '25' }).DATABASE_POOL_MAX).toBe(25);
    expect(() => loadEnv({ DATABASE_POOL_MAX: '0' })).toThrow(/DATABASE_POOL_MAX: must be at least 1/);
    expect(() => loadEnv({ DATABASE_POOL_MAX: 'many' })).toThrow(/DATABASE_POOL_MAX: must be a whole number/);
  });

  it('takes RP_NAME trimmed (blank is unset), and refuses an overlong or control-character one', () => {
    expect(loadEnv({ RP_NAME: '  Acme Notes ' }).RP_NAME).toBe('Acme Notes');
    expect(loadEnv({ RP_NAME: '   ' }).RP_NAME).toBe('Tessera');
    expect(() => loadEnv({ RP_NAME: 'x'.repeat(65) })).toThrow(/RP_NAME: must be at most 64 characters/);
    expect(() => loadEnv({ RP_NAME: 'Acme\u0007' })).toThrow(/RP_NAME: must not contain control characters/);
  });

  it('lists every bad variable at once', () => {
    expect(() => loadEnv({ PORT: 'x', LOG_LEVEL: 'y' })).toThrow(/PORT: .*\n {2}LOG_LEVEL: /s);
  });
});

describe('dev mode (npm run dev)', () => {
  it('gets every variable of the Configuration table through turbo, and WEB_PORT for Vite', () => {
    const turbo = JSON.parse(readFileSync(new URL('../../../turbo.json', import.meta.url), 'utf8')) as {
      tasks: { dev: { passThroughEnv: string[] } };
    };
    expect([...turbo.tasks.dev.passThroughEnv].sort()).toEqual([...ENV_VARIABLES, 'WEB_PORT'].sort());
  });

  it('documents every variable in the README', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    for (const name of [...ENV_VARIABLES, 'WEB_PORT']) expect(readme).toContain(`| \`${name}\` |`);
  });
});
