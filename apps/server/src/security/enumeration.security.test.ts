/**
 * Account enumeration (OWASP Authentication cheat sheet): sign-in answers an unknown email and a
 * wrong password alike in status, body, headers and time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callProcedure, startTestServer, type TestServer, type TrpcAnswer } from '../testing';

let server: TestServer;
const KNOWN = ['known@example.com', 'known2@example.com', 'known3@example.com'];

beforeAll(async () => {
  server = await startTestServer();
  for (const email of KNOWN) {
    await callProcedure(server.url, 'auth.register', { input: { email, password: 'a strong password' } });
  }
});
afterAll(async () => {
  await server.dispose();
});

/** Known accounts take turns, so none reaches the 10-failure limit (whose 429 would be fast). */
let probes = 0;
async function probe(kind: 'unknown' | 'wrong'): Promise<{ answer: TrpcAnswer; ms: number }> {
  probes += 1;
  const email = kind === 'unknown' ? `nobody${probes}@example.com` : (KNOWN[probes % KNOWN.length] ?? '');
  const started = performance.now();
  const answer = await callProcedure(server.url, 'auth.login', {
    input: { email, password: `wrong password ${probes % 3}` },
  });
  return { answer, ms: performance.now() - started };
}

const comparable = (answer: TrpcAnswer) => ({
  status: answer.status,
  body: answer.text,
  headers: [...answer.headers].filter(([name]) => !['date', 'x-request-id'].includes(name)),
});

/** The fastest run is the best estimate of the work itself: load only ever adds time. */
const fastest = (values: number[]) => Math.min(...values);

describe('account enumeration', () => {
  it('answers an unknown email and a wrong password with the same status, body and headers', async () => {
    const unknown = await probe('unknown');
    const wrong = await probe('wrong');
    expect(unknown.answer.status).toBe(401);
    expect(comparable(wrong.answer)).toEqual(comparable(unknown.answer));
  });

  it('answers them in the same time, within noise (a dummy argon2id hash is verified for unknown emails)', async () => {
    const times = { unknown: [] as number[], wrong: [] as number[] };
    // Interleaved, so load on the machine weighs on both sides alike.
    for (let round = 0; round < 15; round++) {
      times.unknown.push((await probe('unknown')).ms);
      times.wrong.push((await probe('wrong')).ms);
    }
    const ratio = fastest(times.unknown) / fastest(times.wrong);

    // Without the dummy hash an unknown email answers in ~1 ms against ~40 ms: a ratio near 0.03.
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  it('answers registering a taken email with CONFLICT', async () => {
    const answer = await callProcedure(server.url, 'auth.register', {
      input: { email: 'Known@Example.com', password: 'another password' },
    });
    expect(answer.status).toBe(409);
    expect(answer.code).toBe('CONFLICT');
  });
});
