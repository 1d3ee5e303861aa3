import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** How long a spawned server may take to start before its test fails with its output (far beyond a normal start). */
const STUCK_AFTER_MS = 60_000;

/** The bundled server, exactly as `npm start` runs it (turbo builds it before the tests). */
export const MAIN_JS = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export interface SpawnedServer {
  child: ChildProcess;
  /** Resolves to the listening URL, or rejects if the process exits first. */
  listening: Promise<string>;
  /** Resolves to the exit code. */
  exited: Promise<number | null>;
  output(): { stdout: string; stderr: string };
  /** SIGTERM, then wait for the exit. */
  stop(): Promise<number | null>;
}

/**
 * Runs the built server in a child process of its own, on an ephemeral loopback port, with only
 * the environment given (plus PATH). The URL is read from the "Tessera is ready" log line, so
 * LOG_LEVEL must stay at info or below.
 *
 * @example
 * const server = spawnServer({ DATABASE_URL: file });
 * const url = await server.listening;
 * await server.stop();
 */
export function spawnServer(env: Record<string, string>): SpawnedServer {
  const child = spawn(process.execPath, [MAIN_JS], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env, HOST: '127.0.0.1', PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = new Promise<string>((resolve, reject) => {
    // A start that never ends fails with what the process said, not as a silent test timeout.
    const stuck = setTimeout(
      () => reject(new Error(`no "Tessera is ready" line after ${STUCK_AFTER_MS} ms:\n${stdout}\n${stderr}`)),
      STUCK_AFTER_MS,
    ).unref();
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      const match = stdout.match(/Tessera is ready: open \S+ \(listening on (http:\/\/127\.0\.0\.1:\d+)\)/);
      if (match?.[1]) {
        clearTimeout(stuck);
        resolve(match[1]);
      }
    });
    void exited.then((code) => {
      clearTimeout(stuck);
      reject(new Error(`server exited with ${code}: ${stderr}`));
    });
  });
  // A caller that expects the process to fail never awaits this; keep that rejection quiet.
  listening.catch(() => undefined);
  return {
    child,
    listening,
    exited,
    output: () => ({ stdout, stderr }),
    stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * Runs one of the bundled command-line tools (dist/rotate-signing-key.js, …) with its arguments
 * and only the environment given (plus PATH).
 *
 * @example
 * const rotation = runTool(ROTATE_JS, { DATABASE_URL: file });
 * expect(await rotation.exited).toBe(0);
 */
export function runTool(script: string, env: Record<string, string>, args: string[] = []) {
  return runProcess(process.execPath, [script, ...args], env);
}

/**
 * Runs any command with only the environment given (plus PATH), collecting what it prints.
 *
 * @example
 * const run = runProcess('unshare', ['--user', process.execPath, MAIN_JS], env);
 */
export function runProcess(command: string, args: string[], env: Record<string, string>) {
  const child = spawn(command, args, { env: { PATH: process.env.PATH ?? '', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { exited, stdout: () => stdout, stderr: () => stderr };
}

/** The bundled `npm run keys:rotate`. */
export const ROTATE_JS = fileURLToPath(new URL('../../dist/rotate-signing-key.js', import.meta.url));

/** The bundled `npm run user:role`. */
export const SET_USER_ROLE_JS = fileURLToPath(new URL('../../dist/set-user-role.js', import.meta.url));
