/**
 * Account enumeration (OWASP Authentication cheat sheet): sign-in answers an unknown email and a
 * wrong password alike in status, body, headers and time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callProcedure, startTestServer, type TestServer, type TrpcAnswer } from '../testing';

let server: TestServer;
beforeAll(async () => {
  // Many attempts from one address: the limits are not what this file is about.
  server = await startTestServer();
  await callProcedure(server.url, 'auth.register', {
    input: { email: 'known@example.com', password: 'a strong password' },
  });
});
afterAll(async () => {
  await server.dispose();
});

/** Each probe uses a fresh account name so the per-account limit never kicks in. */
let probes = 0;
async function probe(kind: 'unknown' | 'wrong'): Promise<{ answer: TrpcAnswer; ms: number }> {
  probes += 1;
  const email = kind === 'unknown' ? `nobody${probes}@example.com` : 'known@example.com';
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

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

describe('account enumeration', () => {
  it('answers an unknown email and a wrong password with the same status, body and headers', async () => {
    const unknown = await probe('unknown');
    const wrong = await probe('wrong');
    expect(unknown.answer.status).toBe(401);
    expect(comparable(wrong.answer)).toEqual(comparable(unknown.answer));
  });

  it('answers them in the same time, within noise (a dummy argon2id hash is verified for unknown emails)', async () => {
    const times = { unknown: [] as number[], wrong: [] as number[] };
    // Interleaved, so load on the machine weighs on both sides alike; 8 failures stay under the account limit.
    for (let round = 0; round < 8; round++) {
      times.unknown.push((await probe('unknown')).ms);
      times.wrong.push((await probe('wrong')).ms);
    }
    const ratio = median(times.unknown) / median(times.wrong);
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
