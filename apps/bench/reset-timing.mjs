// `npm run bench:reset-timing`: does a password-reset request tell, by its timing, whether the
// address has an account (issue 20, finding 8)? The answer itself is the same bytes; the question
// is the work after it. The built server runs on a temporary SQLite file and mails through a
// local SMTP server. Reset requests for a known and an unknown address alternate (in random order
// within each pair), each followed at once by a cheap probe; the probe latencies of the two groups
// are compared with a Mann-Whitney U test. |z| < 3 is no signal; the finding measured 7.4 and 8.8.
// It is a measurement, not a test: many samples, on a quiet machine, read by a person. It runs
// the built server (npm run build first).
//   RESET_TIMING_SAMPLES (1000) per address and probe, RESET_TIMING_GAP_MS (20) between samples
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { median } from './measure.mjs';
import { startServer, TESSERA_MAIN } from './processes.mjs';

const samples = Number(process.env.RESET_TIMING_SAMPLES ?? 1000);
const gapMs = Number(process.env.RESET_TIMING_GAP_MS ?? 20);
const json = { 'content-type': 'application/json' };
const KNOWN = 'known@example.com';
const UNKNOWN = 'unknown@example.com';

/**
 * The least an SMTP server does: accepts every message and drops it. The server's own SMTP client
 * does its full work (connection, dialogue, the message written out), which is what is measured.
 */
function startSmtpDrain() {
  let received = 0;
  const server = createServer((socket) => {
    let inData = false;
    let buffer = '';
    socket.setEncoding('utf8');
    socket.write('220 drain ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk;
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end === -1) return;
          buffer = buffer.slice(end + 5);
          inData = false;
          received++;
          socket.write('250 queued\r\n');
          continue;
        }
        const lineEnd = buffer.indexOf('\r\n');
        if (lineEnd === -1) return;
        const command = buffer.slice(0, lineEnd).toUpperCase();
        buffer = buffer.slice(lineEnd + 2);
        if (command.startsWith('EHLO')) socket.write('250-drain\r\n250 8BITMIME\r\n');
        else if (command === 'DATA') {
          inData = true;
          socket.write('354 go on\r\n');
        } else if (command === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
    socket.on('error', () => undefined);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `smtp://127.0.0.1:${server.address().port}`,
        received: () => received,
        close: () => new Promise((done) => server.close(done)),
      });
    });
  });
}

/** Mann-Whitney U of `a` against `b`, as a z-score (ties averaged): positive when `a` is slower. */
function mannWhitneyZ(a, b) {
  const all = [...a.map((value) => ({ value, fromA: true })), ...b.map((value) => ({ value, fromA: false }))];
  all.sort((x, y) => x.value - y.value);
  const n = all.length;
  let rankSumA = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && all[j + 1].value === all[i].value) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (all[k].fromA) rankSumA += rank;
    const ties = j - i + 1;
    tieTerm += ties ** 3 - ties;
    i = j + 1;
  }
  const u = rankSumA - (a.length * (a.length + 1)) / 2;
  const mean = (a.length * b.length) / 2;
  const sd = Math.sqrt(((a.length * b.length) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  return (u - mean) / sd;
}

const dir = mkdtempSync(join(tmpdir(), 'tessera-reset-timing-'));
const smtp = await startSmtpDrain();
let server = null;
try {
  server = await startServer('tessera', TESSERA_MAIN, {
    DATABASE_URL: join(dir, 'tessera.db'),
    LOG_LEVEL: 'warn',
    // Five reset mails per address an hour would end the measurement after five samples.
    RATE_LIMIT: 'off',
    SMTP_URL: smtp.url,
  });
  const post = (path, body) => fetch(`${server.url}/trpc/${path}`, { method: 'POST', headers: json, body });
  const registered = await post(
    'auth.register',
    JSON.stringify({ email: KNOWN, password: 'a strong password', name: 'Known' }),
  );
  if (!registered.ok) throw new Error(`could not register: ${registered.status} ${await registered.text()}`);

  const probes = {
    // The event loop alone: no database, no worker.
    ping: () => fetch(`${server.url}/trpc/ping`),
    // The event loop and the database worker (which /healthz asks to prove the file writable).
    healthz: () => fetch(`${server.url}/healthz`),
    // A write on the request's own connection: it waits for any other writer's lock.
    write: () => post('auth.passkeys.authenticationOptions', '{}'),
  };
  const latencies = Object.fromEntries(Object.keys(probes).map((name) => [name, { known: [], unknown: [] }]));
  const timedProbe = async (probe) => {
    const started = performance.now();
    const response = await probe();
    if (!response.ok) throw new Error(`probe refused: ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
    return performance.now() - started;
  };
  const sample = async (email, probeName) => {
    const answer = await post('auth.password.requestReset', JSON.stringify({ email }));
    await answer.arrayBuffer();
    if (!answer.ok) throw new Error(`reset request refused: ${answer.status}`);
    const latency = await timedProbe(probes[probeName]);
    latencies[probeName][email === KNOWN ? 'known' : 'unknown'].push(latency);
    // Whatever one request set going ends before the next, give or take: samples stay independent.
    await sleep(gapMs + Math.random() * gapMs);
  };

  // A warm-up the statistics do not see: the first requests of a process are slow for other reasons.
  for (let i = 0; i < 50; i++) await timedProbe(probes.ping);
  for (let i = 0; i < samples; i++) {
    for (const probeName of Object.keys(probes)) {
      const pair = Math.random() < 0.5 ? [KNOWN, UNKNOWN] : [UNKNOWN, KNOWN];
      for (const email of pair) await sample(email, probeName);
    }
    if ((i + 1) % 200 === 0) process.stderr.write(`${i + 1}/${samples}\n`);
  }

  const ms = (value) => `${value.toFixed(3)} ms`;
  console.log(`reset timing: ${samples} samples per address and probe; ${smtp.received()} mails received`);
  for (const [name, { known, unknown }] of Object.entries(latencies)) {
    const z = mannWhitneyZ(known, unknown);
    console.log(
      `${name.padEnd(8)} median known ${ms(median(known))}, unknown ${ms(median(unknown))}; ` +
        `Mann-Whitney z = ${z.toFixed(2)} (${Math.abs(z) < 3 ? 'no signal' : 'SIGNAL'})`,
    );
  }
} finally {
  await server?.stop();
  await smtp.close();
  rmSync(dir, { recursive: true, force: true });
}
