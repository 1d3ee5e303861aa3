import { chownSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dpopKey, MAIN_JS, ROTATE_JS, runProcess, runTool, type SpawnedServer, testServers } from './testing';

const servers = testServers();

/** The built server on a new database of its own. */
const run = (env: Record<string, string>): SpawnedServer =>
  servers.spawn({ DATABASE_URL: join(servers.folder('tessera-main-'), 't.db'), ...env });

describe('the server process', () => {
  it('exits non-zero on a bad environment, naming the variable', async () => {
    const { exited, output } = run({ ACCESS_TOKEN_TTL: 'five minutes' });
    expect(await exited).toBe(1);
    expect(output().stderr).toContain('ACCESS_TOKEN_TTL');
  });

  /** @see issue 20, finding 6: without SMTP_URL, a production server logged every reset link, silently. */
  it('refuses to start outside localhost without SMTP_URL, naming SMTP_URL, unless MAIL_TRANSPORT=log says so', async () => {
    const refused = run({ PUBLIC_ORIGIN: 'https://app.example.com' });
    expect(await refused.exited).toBe(1);
    expect(refused.output().stderr).toMatch(
      /^tessera: cannot start: Invalid environment:\n {2}SMTP_URL: is required when PUBLIC_ORIGIN is not localhost/,
    );
    const logging = run({ PUBLIC_ORIGIN: 'https://app.example.com', MAIL_TRANSPORT: 'log' });
    await logging.listening;
    expect(logging.output().stdout).toMatch(/"level":40,.*"event":"mail_transport_log"/);
  });

  it('starts two processes at once on one new database: one schema, one signing key, shared', async () => {
    const dir = servers.folder('tessera-race-');
    const env = { DATABASE_URL: join(dir, 'fresh.db') };
    const [first, second] = [servers.spawn(env), servers.spawn(env)];
    const [firstUrl, secondUrl] = await Promise.all([first.listening, second.listening]);

    const keys = async (url: string) =>
      ((await (await fetch(`${url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys.map(
        (k) => k.kid,
      );
    expect(await keys(firstUrl)).toHaveLength(1);
    expect(await keys(secondUrl)).toEqual(await keys(firstUrl));

    const registered = await fetch(`${firstUrl}/trpc/auth.register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'race@example.com', password: 'a strong password' }),
    });
    const { result } = (await registered.json()) as { result: { data: { accessToken: string } } };
    const me = await fetch(`${secondUrl}/trpc/auth.me`, {
      headers: { authorization: `Bearer ${result.data.accessToken}` },
    });
    expect(me.status).toBe(200);
  });

  /** @see issue 26: the start line named http://127.0.0.1:…, the one address where sign-in is refused. */
  it('names PUBLIC_ORIGIN as the address to open when it starts', async () => {
    const server = run({ PUBLIC_ORIGIN: 'http://localhost:5999' });
    const url = await server.listening;
    expect(server.output().stdout).toContain(
      `"msg":"Tessera is ready: open http://localhost:5999 (listening on ${url})"`,
    );
  });

  it('serves, logs no credentials, and shuts down cleanly on SIGTERM', async () => {
    const server = run({ LOG_LEVEL: 'info' });
    const url = await server.listening;
    const register = await fetch(`${url}/trpc/auth.register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'log@example.com', password: 'secret password 1' }),
    });
    const { result } = (await register.json()) as { result: { data: { accessToken: string } } };
    const refreshToken = register.headers.getSetCookie()[0]?.split(';')[0]?.split('=')[1] ?? 'missing';
    await fetch(`${url}/trpc/auth.me`, { headers: { authorization: `Bearer ${result.data.accessToken}` } });
    // A DPoP proof, refused or not, is no more logged than a token.
    const proof = await (await dpopKey()).proof({ method: 'GET', url: `${url}/trpc/auth.me` });
    await fetch(`${url}/trpc/auth.me`, { headers: { authorization: `DPoP ${result.data.accessToken}`, dpop: proof } });

    expect(await server.stop()).toBe(0);
    const { stdout, stderr } = server.output();
    expect(stdout).toContain('/trpc/auth.me');
    for (const secret of ['secret password 1', result.data.accessToken, refreshToken, proof]) {
      expect(stdout + stderr).not.toContain(secret);
    }
  });

  it('npm run keys:rotate makes a new signing key that servers sign with, the old one still verifying; it refuses a missing database', async () => {
    const dir = servers.folder('tessera-rotate-');
    const env = { DATABASE_URL: join(dir, 'keys.db') };
    const first = servers.spawn(env);
    const kids = async (url: string) =>
      ((await (await fetch(`${url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys.map(
        (key) => key.kid,
      );
    const [oldKid] = await kids(await first.listening);
    await first.stop();

    const rotation = runTool(ROTATE_JS, env);
    expect(await rotation.exited).toBe(0);
    const newKid = rotation.stdout().match(/new signing key (\S+)/)?.[1];
    expect(newKid).toBeDefined();
    expect(newKid).not.toBe(oldKid);
    expect(rotation.stdout()).toContain(`(database: ${join(dir, 'keys.db')})`);

    const next = servers.spawn(env);
    const url = await next.listening;
    expect((await kids(url)).toSorted()).toEqual([oldKid, newKid].toSorted());
    const registered = await fetch(`${url}/trpc/auth.register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'rotated@example.com', password: 'a strong password' }),
    });
    const { accessToken } = ((await registered.json()) as { result: { data: { accessToken: string } } }).result.data;
    const header = JSON.parse(Buffer.from(accessToken.split('.')[0] ?? '', 'base64url').toString('utf8'));
    expect(header.kid).toBe(newKid);

    const missing = runTool(ROTATE_JS, { DATABASE_URL: join(dir, 'nowhere.db') });
    expect(await missing.exited).toBe(1);
    expect(missing.stderr()).toBe(
      `tessera: cannot rotate the signing key (database: ${join(dir, 'nowhere.db')}): DATABASE_URL: no database at ${join(dir, 'nowhere.db')}: start the server once first\n`,
    );
  });

  /** @see issue 10, point 5: a port in use and a bad HOST ended in a stack trace. */
  it('ends with one line naming PORT when the port is taken, and HOST when it cannot listen there', async () => {
    const dir = servers.folder('tessera-start-');
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const address = taken.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const busy = runTool(MAIN_JS, { DATABASE_URL: join(dir, 'a.db'), HOST: '127.0.0.1', PORT: String(port) });
      expect(await busy.exited).toBe(1);
      expect(busy.stderr()).toBe(
        `tessera: cannot start: PORT: ${port} is already in use on 127.0.0.1; set PORT to a free port (or 0 for any)\n`,
      );
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
    const badHost = runTool(MAIN_JS, { DATABASE_URL: join(dir, 'b.db'), HOST: 'no-such-host.invalid', PORT: '0' });
    expect(await badHost.exited).toBe(1);
    expect(badHost.stderr()).toMatch(
      /^tessera: cannot start: HOST: cannot listen on "no-such-host\.invalid" \(E[A-Z_]+\)/,
    );
    expect(badHost.stderr().trim().split('\n')).toHaveLength(1);
  });

  /** @see issue 26: a DATABASE_URL whose folder was a file ended with a bare `ENOTDIR`. */
  it('names DATABASE_URL when the database’s folder is a file', async () => {
    const notAFolder = join(servers.folder('tessera-notdir-'), 'data');
    writeFileSync(notAFolder, '');
    const refused = runTool(MAIN_JS, { DATABASE_URL: join(notAFolder, 'tessera.db'), HOST: '127.0.0.1', PORT: '0' });
    expect(await refused.exited).toBe(1);
    expect(refused.stderr()).toContain(`DATABASE_URL: cannot create the database ${join(notAFolder, 'tessera.db')}`);
    expect(refused.stderr()).toContain(`${notAFolder} is a file, not a folder`);
  });

  /**
   * @see issue 10, point 2: the server said "listening" and /healthz 200 on a database it could
   * read but not write, and every sign-in was a 500. Here its -wal and -shm files belong to
   * another user (left by a run under another account), so SQLite opens it read-only.
   */
  it('refuses to start on a database it can read but not write, naming DATABASE_URL and the path', async () => {
    const dir = servers.folder('tessera-readonly-');
    const file = join(dir, 'tessera.db');
    const first = servers.spawn({ DATABASE_URL: file });
    await first.listening;
    await first.stop();

    // The -wal and -shm files belong to another user and only it may write them. As root, which
    // permissions do not bind, the server runs in a user namespace of its own (`unshare --user`):
    // it is still the files' owner's user to the kernel, so it reads the clone wherever it lives
    // (a 0700 folder included) and owns the folder and the database, but it has no power to
    // override another user's permissions. Not as root, the files are simply read-only.
    const asRoot = process.getuid?.() === 0;
    const nobody = 65_534;
    for (const suffix of ['-wal', '-shm']) {
      writeFileSync(`${file}${suffix}`, '', { mode: asRoot ? 0o644 : 0o444 });
      if (asRoot) chownSync(`${file}${suffix}`, nobody, nobody);
    }

    const env = { DATABASE_URL: file, HOST: '127.0.0.1', PORT: '0' };
    const readOnly = asRoot ? runProcess('unshare', ['--user', process.execPath, MAIN_JS], env) : runTool(MAIN_JS, env);
    expect(await readOnly.exited).toBe(1);
    expect(readOnly.stderr()).toMatch(
      new RegExp(`^tessera: cannot start: DATABASE_URL: cannot write ${file} \\(SQLITE_READONLY[A-Z_]*\\);`),
    );
    expect(readOnly.stderr().trim().split('\n')).toHaveLength(1);
    expect(readOnly.stdout()).not.toContain('listening');
  });
});
