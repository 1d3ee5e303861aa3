import { createDb, type DbHandle } from '@tessera/db';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issueAccessToken, verifyAccessToken } from './access-token';
import { SigningKeyRing } from './signing-keys';

let handle: DbHandle;
let clock: number;
const ttl = 300;
const open = () =>
  SigningKeyRing.open({ db: handle.db, accessTokenTtl: ttl, signingKeyMaxAge: 86_400, now: () => clock });

beforeEach(() => {
  handle = createDb(':memory:');
  clock = Date.UTC(2026, 0, 1);
});
afterEach(() => handle.close());

describe('SigningKeyRing', () => {
  it('creates one key on a new database and reuses it when opened again (a restart or a second process)', async () => {
    const first = await open();
    const second = await open();
    expect((await second.signingKey()).kid).toBe((await first.signingKey()).kid);
    expect(first.publicJwks()).toHaveLength(1);
    expect(first.publicJwks()[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(first.publicJwks()[0]).not.toHaveProperty('d');
  });

  it('keeps verifying the old key after a rotation until its tokens have expired', async () => {
    const ring = await open();
    const options = { keys: ring, issuer: 'i', audience: 'a', ttl };
    const old = await issueAccessToken(options, { userId: 'u', sessionId: 's' }, clock);
    const oldKid = (await ring.signingKey()).kid;

    await ring.rotate();
    expect((await ring.signingKey()).kid).not.toBe(oldKid);
    expect(ring.publicJwks()).toHaveLength(2);
    expect(await verifyAccessToken(options, old.accessToken, clock + 1000)).toMatchObject({ ok: true });

    clock += (ttl + 61) * 1000;
    expect(await ring.verificationKey(oldKid)).toBeNull();
    expect(ring.publicJwks()).toHaveLength(1);
  });

  it('lets a second process verify tokens signed with a key it has not seen yet', async () => {
    const signer = await open();
    const verifier = await open();
    await signer.rotate();
    clock += 1_000; // the verifier reloads unknown kids at most once a second
    const token = await issueAccessToken(
      { keys: signer, issuer: 'i', audience: 'a', ttl },
      { userId: 'u', sessionId: 's' },
      clock,
    );
    expect(
      await verifyAccessToken({ keys: verifier, issuer: 'i', audience: 'a', ttl }, token.accessToken, clock),
    ).toMatchObject({ ok: true });
  });

  it('rotates by itself once the signing key is older than its maximum age, once across processes', async () => {
    const a = await open();
    const b = await open();
    const original = (await a.signingKey()).kid;
    clock += 86_400 * 1000;
    const rotatedByA = (await a.signingKey()).kid;
    const seenByB = (await b.signingKey()).kid;
    expect(rotatedByA).not.toBe(original);
    expect(seenByB).toBe(rotatedByA);
  });

  it('does not look up kids that cannot be ours', async () => {
    const ring = await open();
    expect(await ring.verificationKey('../../etc/passwd')).toBeNull();
    expect(await ring.verificationKey("' OR 1=1 --")).toBeNull();
  });
});
