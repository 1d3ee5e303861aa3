import { createHash, createPublicKey, verify } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { memoryDeviceKeys } from '../testing/memory-device-keys';
import type { DeviceKey, DeviceKeyStore } from './device-key';
import { createDpopFetch } from './dpop-fetch';

const BASE_URL = 'https://app.example/account';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** An access token as the server issues it; `jkt` makes it one bound to that key. */
const accessToken = (jkt?: string) =>
  `${b64({ alg: 'EdDSA' })}.${b64({ sid: 's1', iat: 1, exp: 2, ...(jkt ? { cnf: { jkt } } : {}) })}.sig`;
const sha256url = (text: string) => createHash('sha256').update(text).digest('base64url');

/** A proof's header and claims, after checking its signature with Node's crypto. */
function verifiedProof(proof: string | null) {
  const [header, claims, signature] = (proof ?? '').split('.');
  if (header === undefined || claims === undefined || signature === undefined) throw new Error('no proof');
  const parsedHeader: { jwk: DeviceKey['publicJwk'] } = JSON.parse(Buffer.from(header, 'base64url').toString());
  const key = createPublicKey({ key: { ...parsedHeader.jwk }, format: 'jwk' });
  const data = Buffer.from(`${header}.${claims}`);
  if (!verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'))) {
    throw new Error('bad signature');
  }
  const parsedClaims: Record<string, unknown> = JSON.parse(Buffer.from(claims, 'base64url').toString());
  return { jwk: parsedHeader.jwk, claims: parsedClaims };
}

type Answer = { status?: number; headers?: Record<string, string> };

/** Stands in for the network: records what each request carried and answers from a queue. */
function recordingFetch(...answers: Answer[]) {
  const requests: Array<{
    input: RequestInfo | URL;
    init: RequestInit | undefined;
    authorization: string | null;
    dpop: string | null;
  }> = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    requests.push({ input, init, authorization: headers.get('authorization'), dpop: headers.get('dpop') });
    const answer = (answers.length > 1 ? answers.shift() : answers[0]) ?? {};
    return new Response('{}', { status: answer.status ?? 200, headers: answer.headers });
  };
  return { fetch: fetchImpl, requests };
}

const NONCE_REFUSAL = (nonce: string): Answer => ({
  status: 401,
  headers: { 'www-authenticate': 'DPoP error="use_dpop_nonce", error_description="nonce"', 'dpop-nonce': nonce },
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('createDpopFetch', () => {
  it('signs a request without a token with the stored key (made on first use), no ath, Bearer untouched', async () => {
    const keys = memoryDeviceKeys();
    const network = recordingFetch({});
    const dpopFetch = createDpopFetch(network.fetch, keys, { baseUrl: BASE_URL });

    await dpopFetch('/trpc/auth.login?batch=1', { method: 'POST', body: '{"email":"a"}' });

    const [sent] = network.requests;
    expect(sent?.authorization).toBeNull();
    const { jwk, claims } = verifiedProof(sent?.dpop ?? null);
    expect(jwk).toEqual(keys.current()?.publicJwk);
    expect(claims).toMatchObject({ htm: 'POST', htu: 'https://app.example/trpc/auth.login' });
    expect(claims).not.toHaveProperty('ath');
    expect(claims).not.toHaveProperty('nonce');
    expect(sent?.init?.body).toBe('{"email":"a"}');
  });

  it('keeps an unbound token as Bearer, with a proof that carries no ath', async () => {
    const network = recordingFetch({});
    const dpopFetch = createDpopFetch(network.fetch, memoryDeviceKeys(), { baseUrl: BASE_URL });
    const token = accessToken();

    await dpopFetch('https://app.example/trpc/auth.me', { headers: { authorization: `Bearer ${token}` } });

    const [sent] = network.requests;
    expect(sent?.authorization).toBe(`Bearer ${token}`);
    const { claims } = verifiedProof(sent?.dpop ?? null);
    expect(claims).toMatchObject({ htm: 'GET', htu: 'https://app.example/trpc/auth.me' });
    expect(claims).not.toHaveProperty('ath');
  });

  it.each([
    ['a plain object', (authorization: string): HeadersInit => ({ authorization, 'content-type': 'application/json' })],
    ['Headers', (authorization: string): HeadersInit => new Headers({ Authorization: authorization })],
    ['an array', (authorization: string): HeadersInit => [['Authorization', authorization]]],
  ])('sends a bound token (headers as %s) as DPoP, with its hash in a proof from the bound key', async (_, headers) => {
    const keys = memoryDeviceKeys();
    const key = await keys.loadOrCreate();
    const network = recordingFetch({});
    const dpopFetch = createDpopFetch(network.fetch, keys, { baseUrl: BASE_URL });
    const token = accessToken(key.jkt);

    await dpopFetch('/trpc/user.list,auth.me?batch=1&input=%7B%7D', {
      method: 'GET',
      headers: headers(`Bearer ${token}`),
    });

    const [sent] = network.requests;
    expect(sent?.authorization).toBe(`DPoP ${token}`);
    const { jwk, claims } = verifiedProof(sent?.dpop ?? null);
    expect(jwk).toEqual(key.publicJwk);
    expect(claims).toMatchObject({
      htm: 'GET',
      htu: 'https://app.example/trpc/user.list,auth.me',
      ath: sha256url(token),
    });
  });

  it('keeps the other headers and options of the request', async () => {
    const keys = memoryDeviceKeys();
    const network = recordingFetch({});
    const dpopFetch = createDpopFetch(network.fetch, keys, { baseUrl: BASE_URL });
    const controller = new AbortController();

    await dpopFetch('/trpc/auth.logout', {
      method: 'POST',
      body: '{}',
      credentials: 'omit',
      signal: controller.signal,
      headers: { 'content-type': 'application/json', 'trpc-accept': 'application/jsonl' },
    });

    const [sent] = network.requests;
    expect(sent?.init).toMatchObject({ method: 'POST', body: '{}', credentials: 'omit', signal: controller.signal });
    const headers = new Headers(sent?.init?.headers);
    expect(headers.get('content-type')).toBe('application/json');
    expect(headers.get('trpc-accept')).toBe('application/jsonl');
  });

  it('uses the key in memory while it is the bound one, without reading the store', async () => {
    const keys = memoryDeviceKeys();
    const network = recordingFetch({});
    const dpopFetch = createDpopFetch(network.fetch, keys, { baseUrl: BASE_URL });
    await dpopFetch('/trpc/auth.refresh', { method: 'POST' });
    const key = keys.current();
    const token = accessToken(key?.jkt);
    const reads = keys.calls.loadOrCreate;

    await dpopFetch('/trpc/auth.me', { headers: { authorization: `Bearer ${token}` } });
    await dpopFetch('/trpc/auth.me', { headers: { authorization: `Bearer ${token}` } });

    expect(keys.calls.loadOrCreate).toBe(reads);
    for (const sent of network.requests.slice(1)) expect(verifiedProof(sent.dpop).jwk).toEqual(key?.publicJwk);
  });

  it('reads the store again for a token bound to another key (another tab replaced it)', async () => {
    const keys = memoryDeviceKeys();
    const network = recordingFetch({});
    const dpopFetch = createDpopFetch(network.fetch, keys, { baseUrl: BASE_URL });
    await dpopFetch('/trpc/auth.refresh', { method: 'POST' });
    const replaced = await keys.replace();
    const token = accessToken(replaced.jkt);

    await dpopFetch('/trpc/auth.me', { headers: { authorization: `Bearer ${token}` } });

    const { jwk, claims } = verifiedProof(network.requests[1]?.dpop ?? null);
    expect(jwk).toEqual(replaced.publicJwk);
    expect(claims.ath).toBe(sha256url(token));
  });

  it('signs requests without a bound token with the key stored now, not the one in memory', async () => {
    const keys = memoryDeviceKeys();
    const network = recordingFetch({});
    const dpopFetch = createDpopFetch(network.fetch, keys, { baseUrl: BASE_URL });
    await dpopFetch('/trpc/auth.refresh', { method: 'POST' });
    const replaced = await keys.replace();

    await dpopFetch('/trpc/auth.login', { method: 'POST' });

    expect(verifiedProof(network.requests[1]?.dpop ?? null).jwk).toEqual(replaced.publicJwk);
  });

  it('remembers the latest DPoP-Nonce and puts it in the next proofs', async () => {
    const network = recordingFetch({ headers: { 'dpop-nonce': 'n-1' } }, { headers: { 'dpop-nonce': 'n-2' } }, {});
    const dpopFetch = createDpopFetch(network.fetch, memoryDeviceKeys(), { baseUrl: BASE_URL });

    for (let i = 0; i < 4; i++) await dpopFetch('/trpc/auth.me');

    const nonces = network.requests.map((sent) => verifiedProof(sent.dpop).claims.nonce);
    expect(nonces).toEqual([undefined, 'n-1', 'n-2', 'n-2']);
  });

  it('retries once, with a fresh proof that carries the nonce, when the server asks for one', async () => {
    const keys = memoryDeviceKeys();
    const key = await keys.loadOrCreate();
    const network = recordingFetch(NONCE_REFUSAL('n-1'), { headers: { 'dpop-nonce': 'n-1' } });
    const dpopFetch = createDpopFetch(network.fetch, keys, { baseUrl: BASE_URL });
    const token = accessToken(key.jkt);

    const response = await dpopFetch('/trpc/auth.logout', {
      method: 'POST',
      body: '{"json":null}',
      headers: { authorization: `Bearer ${token}` },
    });

    expect(response.status).toBe(200);
    expect(network.requests).toHaveLength(2);
    const [first, retry] = network.requests.map((sent) => ({ ...sent, proof: verifiedProof(sent.dpop) }));
    expect(first?.proof.claims).not.toHaveProperty('nonce');
    expect(retry?.proof.claims).toMatchObject({ nonce: 'n-1', htm: 'POST', ath: sha256url(token) });
    expect(retry?.proof.claims.jti).not.toBe(first?.proof.claims.jti);
    expect(retry?.authorization).toBe(`DPoP ${token}`);
    expect(retry?.init?.body).toBe('{"json":null}');
  });

  it('does not retry a second time: the second refusal reaches the caller', async () => {
    const network = recordingFetch(NONCE_REFUSAL('n-1'), NONCE_REFUSAL('n-2'), {});
    const dpopFetch = createDpopFetch(network.fetch, memoryDeviceKeys(), { baseUrl: BASE_URL });

    const response = await dpopFetch('/trpc/auth.refresh', { method: 'POST' });

    expect(response.status).toBe(401);
    expect(network.requests).toHaveLength(2);
    // The newest nonce is kept for the next request all the same.
    await dpopFetch('/trpc/auth.refresh', { method: 'POST' });
    expect(verifiedProof(network.requests[2]?.dpop ?? null).claims.nonce).toBe('n-2');
  });

  it('does not retry a refusal that is not about the nonce', async () => {
    const network = recordingFetch(
      { status: 401, headers: { 'www-authenticate': 'DPoP error="invalid_dpop_proof"', 'dpop-nonce': 'n-1' } },
      {},
    );
    const dpopFetch = createDpopFetch(network.fetch, memoryDeviceKeys(), { baseUrl: BASE_URL });

    expect((await dpopFetch('/trpc/auth.me')).status).toBe(401);
    expect(network.requests).toHaveLength(1);
  });

  it('dates proofs by the server’s clock: a refusal from a server minutes ahead is retried once, dated by its Date', async () => {
    const serverNow = Date.now() + 10 * 60_000;
    const serverDate = new Date(serverNow).toUTCString();
    const network = recordingFetch(
      { status: 401, headers: { 'www-authenticate': 'DPoP error="invalid_dpop_proof"', date: serverDate } },
      { headers: { date: serverDate } },
    );
    const dpopFetch = createDpopFetch(network.fetch, memoryDeviceKeys(), { baseUrl: BASE_URL });

    expect((await dpopFetch('/trpc/auth.login', { method: 'POST', body: '{}' })).status).toBe(200);
    expect(network.requests).toHaveLength(2);
    const [first, second] = network.requests.map((request) => verifiedProof(request.dpop).claims.iat as number);
    expect(Math.abs((first ?? 0) - Date.now() / 1000)).toBeLessThan(5);
    expect(Math.abs((second ?? 0) - serverNow / 1000)).toBeLessThan(5);
    // Known now: the next proof is dated right the first time, and a refusal then is not retried.
    await dpopFetch('/trpc/auth.me');
    expect(
      Math.abs((verifiedProof(network.requests[2]?.dpop ?? null).claims.iat as number) - serverNow / 1000),
    ).toBeLessThan(5);
  });

  it('signs a Request the same way and retries with an unread copy of its body', async () => {
    const network = recordingFetch(NONCE_REFUSAL('n-1'), {});
    const dpopFetch = createDpopFetch(network.fetch, memoryDeviceKeys(), { baseUrl: BASE_URL });

    await dpopFetch(new Request('https://app.example/trpc/auth.login?x=1', { method: 'POST', body: 'payload' }));

    expect(network.requests).toHaveLength(2);
    for (const sent of network.requests) {
      expect(verifiedProof(sent.dpop).claims).toMatchObject({
        htm: 'POST',
        htu: 'https://app.example/trpc/auth.login',
      });
      expect(sent.input).toBeInstanceOf(Request);
      await expect((sent.input as Request).text()).resolves.toBe('payload');
    }
  });

  it('passes every request through unchanged when DPoP is off', async () => {
    const network = recordingFetch(NONCE_REFUSAL('n-1'));
    const dpopFetch = createDpopFetch(network.fetch, false);
    const token = accessToken('some-jkt');
    const init = { method: 'POST', headers: { authorization: `Bearer ${token}` } };

    await dpopFetch('/trpc/auth.me', init);

    expect(network.requests).toEqual([{ input: '/trpc/auth.me', init, authorization: `Bearer ${token}`, dpop: null }]);
  });

  it('sends without a proof, and says so once, when the key store fails', async () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
    const failing: DeviceKeyStore = {
      load: () => Promise.reject(new Error('IndexedDB refused')),
      loadOrCreate: () => Promise.reject(new Error('IndexedDB refused')),
      discard: () => Promise.reject(new Error('IndexedDB refused')),
    };
    const network = recordingFetch({});
    const dpopFetch = createDpopFetch(network.fetch, failing, { baseUrl: BASE_URL });
    const init = { headers: { authorization: 'Bearer t' } };

    await dpopFetch('/trpc/auth.me', init);
    await dpopFetch('/trpc/auth.me', init);

    expect(network.requests.map((sent) => [sent.init, sent.dpop])).toEqual([
      [init, null],
      [init, null],
    ]);
    expect(info).toHaveBeenCalledTimes(1);
    expect(String(info.mock.calls[0]?.[0])).toContain('DPoP off');
  });

  it('discardKey deletes the stored key: the next sign-in makes a new one', async () => {
    const keys = memoryDeviceKeys();
    const network = recordingFetch({});
    const dpopFetch = createDpopFetch(network.fetch, keys, { baseUrl: BASE_URL });
    await dpopFetch('/trpc/auth.login', { method: 'POST' });
    const first = keys.current();

    await dpopFetch.discardKey();
    expect(keys.current()).toBeNull();
    await dpopFetch('/trpc/auth.login', { method: 'POST' });

    const second = keys.current();
    expect(second?.jkt).not.toBe(first?.jkt);
    expect(verifiedProof(network.requests[1]?.dpop ?? null).jwk).toEqual(second?.publicJwk);
  });

  it('forgetKey drops only the copy in memory: a bound call reads the store again', async () => {
    const keys = memoryDeviceKeys();
    const network = recordingFetch({});
    const dpopFetch = createDpopFetch(network.fetch, keys, { baseUrl: BASE_URL });
    await dpopFetch('/trpc/auth.login', { method: 'POST' });
    const token = accessToken(keys.current()?.jkt);
    const reads = keys.calls.loadOrCreate;

    dpopFetch.forgetKey();
    await dpopFetch('/trpc/auth.me', { headers: { authorization: `Bearer ${token}` } });

    expect(keys.calls.loadOrCreate).toBe(reads + 1);
    expect(keys.calls.discard).toBe(0);
    expect(verifiedProof(network.requests[1]?.dpop ?? null).jwk).toEqual(keys.current()?.publicJwk);
  });
});
