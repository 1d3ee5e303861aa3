import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPOSITORY = fileURLToPath(new URL('../../..', import.meta.url));

/** A port nothing listens on right now (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, 'localhost', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Polls until `url` answers with something other than the proxy's 502 (the API still starting). */
async function answerFrom(url: string, init?: RequestInit): Promise<Response> {
  const deadline = Date.now() + 50_000;
  for (;;) {
    const response = await fetch(url, init).catch(() => null);
    if (response && response.status !== 502) return response;
    if (Date.now() > deadline) throw new Error(`${url} never answered`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * `npm run dev` as a user runs it, with the Configuration table's variables set: turbo must pass
 * them through, the Vite proxy must follow PORT, and Vite must listen on WEB_PORT.
 */
describe('npm run dev', () => {
  let dev: ChildProcess;
  let output = '';
  let dataDir: string;
  let apiPort: number;
  let webPort: number;

  beforeAll(async () => {
    [apiPort, webPort] = [await freePort(), await freePort()];
    dataDir = mkdtempSync(join(tmpdir(), 'tessera-dev-'));
    dev = spawn('npm', ['run', 'dev'], {
      cwd: REPOSITORY,
      // Its own process group, so the whole tree (turbo, esbuild, the server, Vite) stops together.
      detached: true,
      env: {
        ...process.env,
        PORT: String(apiPort),
        WEB_PORT: String(webPort),
        LOG_LEVEL: 'warn',
        DATABASE_URL: join(dataDir, 'dev.db'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => {
      output += chunk;
    };
    dev.stdout?.on('data', collect);
    dev.stderr?.on('data', collect);
  });

  afterAll(async () => {
    if (dev.pid !== undefined && dev.exitCode === null) {
      const exited = new Promise((resolve) => dev.once('exit', resolve));
      process.kill(-dev.pid, 'SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('proxies /trpc from WEB_PORT to the API on PORT, which trusts the page origin', async () => {
    const viaVite = await answerFrom(`http://localhost:${webPort}/trpc/auth.me`);
    expect(viaVite.status).toBe(401);
    const direct = await fetch(`http://localhost:${apiPort}/healthz`);
    expect(direct.status).toBe(200);

    // The origin the API trusts is Vite's own: a sign-up from the page goes through.
    const signUp = await fetch(`http://localhost:${webPort}/trpc/auth.register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: `http://localhost:${webPort}` },
      body: JSON.stringify({ email: 'dev@example.com', password: 'correct horse battery' }),
    });
    expect(signUp.status).toBe(200);
  });

  it('names the origin to open when the page was opened at 127.0.0.1', async () => {
    const refused = await answerFrom(`http://127.0.0.1:${webPort}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: `http://127.0.0.1:${webPort}` },
      body: JSON.stringify({ email: 'dev@example.com', password: 'correct horse battery' }),
    });
    expect(refused.status).toBe(403);
    const body = (await refused.json()) as { error: { message: string } };
    expect(body.error.message).toContain(`Open http://localhost:${webPort}`);
  });

  it('logs at LOG_LEVEL: warn keeps the per-request info lines out', () => {
    expect(output).not.toMatch(/"level":30/);
    expect(output).not.toContain('Tessera is ready');
  });
});
