import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

/** The bundled server, as `npm start` runs it (turbo builds it before the tests). */
const mainJs = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function run(env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-main-'));
  dirs.push(dir);
  const child = spawn(process.execPath, [mainJs], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', DATABASE_URL: join(dir, 't.db'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const match = stdout.match(/Server listening at (http:\/\/127\.0\.0\.1:\d+)/);
      if (match?.[1]) resolve(match[1]);
    });
    void exited.then((code) => reject(new Error(`exited with ${code}: ${stderr}`)));
  });
  // A test that expects the process to fail never awaits this; keep that rejection quiet.
  listening.catch(() => undefined);
  return { child, exited, listening, output: () => ({ stdout, stderr }) };
}

describe('the server process', () => {
  it('exits non-zero on a bad environment, naming the variable', async () => {
    const { exited, output } = run({ ACCESS_TOKEN_TTL: 'five minutes' });
    expect(await exited).toBe(1);
    expect(output().stderr).toContain('ACCESS_TOKEN_TTL');
  });

  it('serves, logs no credentials, and shuts down cleanly on SIGTERM', async () => {
    const { child, exited, listening, output } = run({ LOG_LEVEL: 'info' });
    const url = await listening;
    const register = await fetch(`${url}/trpc/auth.register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'log@example.com', password: 'secret password 1' }),
    });
    const { result } = (await register.json()) as { result: { data: { accessToken: string } } };
    const refreshToken = register.headers.getSetCookie()[0]?.split(';')[0]?.split('=')[1] ?? 'missing';
    await fetch(`${url}/trpc/auth.me`, { headers: { authorization: `Bearer ${result.data.accessToken}` } });

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const { stdout, stderr } = output();
    expect(stdout).toContain('/trpc/auth.me');
    for (const secret of ['secret password 1', result.data.accessToken, refreshToken]) {
      expect(stdout + stderr).not.toContain(secret);
    }
  });
});
