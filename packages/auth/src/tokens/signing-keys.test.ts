import { beforeEach, expect, it, vi } from 'vitest';
import { describeEngines, type OpenStore, testEngines } from '../engines/testing';
import { issueAccessToken, verifyAccessToken } from './access-token';
import { createSecretBox, generateSecretKey } from './secret-box';
import { SIGNING_KEY_RELOAD_INTERVAL_MS, SigningKeyRing } from './signing-keys';

const SECRET = generateSecretKey();
const box = createSecretBox({ key: SECRET });

describeEngines('SigningKeyRing', testEngines(), (current) => {
  let database: OpenStore;
  let clock: number;
  const ttl = 300;
  const open = () =>
    SigningKeyRing.open({
      store: database.store.signingKeys,
      box,
      accessTokenTtl: ttl,
      signingKeyMaxAge: 86_400,
      now: () => clock,
    });

  beforeEach(() => {
    database = current();
    clock = Date.UTC(2026, 0, 1);
  });

  const storedPrivateKeys = async () =>
    (await database.rows('select kid, private_jwk from signing_keys')).map((row) => ({
      kid: String(row.kid),
      privateJwk: String(row.private_jwk),
    }));

  /** @see issue 8, finding 1: the private JWK sat in the database in plain text. */
  it('stores the private key sealed: the database alone holds nothing to sign with', async () => {
    await open();
    const [row] = await storedPrivateKeys();
    expect(row?.privateJwk).toMatch(/^v1\./);
    expect(row?.privateJwk).not.toContain('"d"');
    const stranger = createSecretBox({ key: generateSecretKey() });
    await expect(
      SigningKeyRing.open({
        store: database.store.signingKeys,
        box: stranger,
        accessTokenTtl: ttl,
        signingKeyMaxAge: 86_400,
      }),
    ).rejects.toThrow(/unknown key/);
  });

  it('seals a plain-text private key left by an older version, and re-seals one under a previous SECRET_KEY', async () => {
    const ring = await open();
    const { kid } = await ring.signingKey();
    const [row] = await storedPrivateKeys();
    const plain = box.open(row?.privateJwk ?? '', `signing_keys.private_jwk:${kid}`);
    // As an older version left it: in plain text.
    await database.store.signingKeys.resealAll(() => plain);

    await open();
    const resealed = (await storedPrivateKeys())[0]?.privateJwk ?? '';
    expect(box.isSealed(resealed)).toBe(true);
    expect(box.open(resealed, `signing_keys.private_jwk:${kid}`)).toBe(plain);

    const newKey = generateSecretKey();
    const rotated = createSecretBox({ key: newKey, previousKeys: [SECRET] });
    expect(rotated.needsRewrap(resealed)).toBe(true);
    await SigningKeyRing.open({
      store: database.store.signingKeys,
      box: rotated,
      accessTokenTtl: ttl,
      signingKeyMaxAge: 86_400,
    });
    expect(rotated.needsRewrap((await storedPrivateKeys())[0]?.privateJwk ?? '')).toBe(false);
    // The old key alone no longer opens it: rotation done, the previous key can be dropped.
    await expect(
      SigningKeyRing.open({
        store: database.store.signingKeys,
        box: createSecretBox({ key: newKey }),
        accessTokenTtl: ttl,
        signingKeyMaxAge: 86_400,
      }),
    ).resolves.toBeInstanceOf(SigningKeyRing);
  });

  it('creates one key on a new database and reuses it when opened again (a restart or a second process)', async () => {
    const first = await open();
    const second = await open();
    expect((await second.signingKey()).kid).toBe((await first.signingKey()).kid);
    expect(await first.publicJwks()).toHaveLength(1);
    expect((await first.publicJwks())[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect((await first.publicJwks())[0]).not.toHaveProperty('d');
  });

  it('creates one key when processes open an empty database at once (the ring’s lock, with no row to lock)', async () => {
    const rings = await Promise.all([open(), open(), open(), open()]);
    const kids = await Promise.all(rings.map(async (ring) => (await ring.signingKey()).kid));
    expect(new Set(kids).size).toBe(1);
    expect(await database.rows('select kid from signing_keys')).toHaveLength(1);
  });

  it('replaces an aged key once when processes rotate at once: only the first replaces the key they all saw', async () => {
    const rings = await Promise.all([open(), open(), open()]);
    clock += 86_400 * 1000;
    const kids = await Promise.all(rings.map(async (ring) => (await ring.signingKey()).kid));
    expect(new Set(kids).size).toBe(1);
    expect(await database.rows('select kid from signing_keys where retired_at is null')).toHaveLength(1);
    expect(await database.rows('select kid from signing_keys')).toHaveLength(2);
  });

  it('keeps verifying the old key after a rotation until its tokens have expired', async () => {
    const ring = await open();
    const options = { keys: ring, issuer: 'i', audience: 'a', ttl };
    const old = await issueAccessToken(
      options,
      { userId: 'u', sessionId: 's', role: 'user', proof: { authTime: 0, method: 'password' }, dpopJkt: null },
      clock,
    );
    const oldKid = (await ring.signingKey()).kid;

    await ring.rotate();
    expect((await ring.signingKey()).kid).not.toBe(oldKid);
    expect(await ring.publicJwks()).toHaveLength(2);
    expect(await verifyAccessToken(options, old.accessToken, clock + 1000)).toMatchObject({ ok: true });

    clock += (ttl + 61) * 1000;
    expect(await ring.verificationKey(oldKid)).toBeNull();
    expect(await ring.publicJwks()).toHaveLength(1);
  });

  it('lets a second process verify tokens signed with a key it has not seen yet', async () => {
    const signer = await open();
    const verifier = await open();
    await signer.rotate();
    // No time passes: the verifier loaded a moment ago, and reloads for the unknown kid anyway.
    const token = await issueAccessToken(
      { keys: signer, issuer: 'i', audience: 'a', ttl },
      { userId: 'u', sessionId: 's', role: 'user', proof: { authTime: 0, method: 'password' }, dpopJkt: null },
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

  it('reloads for unknown kids at most once a second, whatever clients send', async () => {
    const signer = await open();
    const verifier = await open();
    const stranger = 'x'.repeat(43);
    expect(await verifier.verificationKey(stranger)).toBeNull();
    await signer.rotate();
    const { kid } = await signer.signingKey();
    // Within the second after a reload for a stranger's kid, a new real kid is not looked up...
    expect(await verifier.verificationKey(kid)).toBeNull();
    clock += 1_000;
    // ...and once the second has passed, it is.
    expect(await verifier.verificationKey(kid)).not.toBeNull();
  });

  it('does not look up kids that cannot be ours', async () => {
    const ring = await open();
    expect(await ring.verificationKey('../../etc/passwd')).toBeNull();
    expect(await ring.verificationKey("' OR 1=1 --")).toBeNull();
  });

  it('stops signing with a key another process retired, within a minute', async () => {
    const a = await open();
    const b = await open();
    const before = (await a.signingKey()).kid;
    await b.rotate();
    const after = (await b.signingKey()).kid;
    expect(after).not.toBe(before);
    clock += 60_000;
    expect((await a.signingKey()).kid).toBe(after);
  });

  /** @see issue 20, finding 11. */
  it('knows when a retired key signed its last honest token: its retirement plus the reload interval', async () => {
    const ring = await open();
    const { kid } = await ring.signingKey();
    expect(ring.standing(kid)).toEqual({ signedUntil: Number.POSITIVE_INFINITY, revoked: false });
    await ring.rotate();
    expect(ring.standing(kid)).toEqual({ signedUntil: clock + SIGNING_KEY_RELOAD_INTERVAL_MS, revoked: false });
    expect(ring.standing('x'.repeat(43))).toBeNull();
  });

  it('learns of another process’s rotation when told, and by itself once its keys are older than the interval', async () => {
    const verifier = await open();
    const other = await open();
    const { kid } = await verifier.signingKey();

    await other.rotate();
    expect(verifier.standing(kid)?.signedUntil).toBe(Number.POSITIVE_INFINITY);
    verifier.keysChanged();
    await vi.waitFor(() => expect(verifier.standing(kid)?.signedUntil).toBe(clock + SIGNING_KEY_RELOAD_INTERVAL_MS));

    // Not told this time: verification does not wait on the database, but reloads in the background.
    const { kid: second } = await other.signingKey();
    await other.rotate();
    const retiredAt = clock;
    clock += SIGNING_KEY_RELOAD_INTERVAL_MS;
    expect(verifier.standing(second)?.signedUntil).toBe(Number.POSITIVE_INFINITY);
    await vi.waitFor(() =>
      expect(verifier.standing(second)?.signedUntil).toBe(retiredAt + SIGNING_KEY_RELOAD_INTERVAL_MS),
    );
  });

  it('revokes every other key with a new one, whichever process rotated last: no longer published, and said so', async () => {
    const a = await open();
    const b = await open();
    const first = (await a.signingKey()).kid;
    await b.rotate();
    const second = (await b.signingKey()).kid;

    // A has not reloaded: it revokes the key B rotated to as well.
    const { kid, revoked } = await a.rotate({ revoke: true });
    expect(revoked.toSorted()).toEqual([first, second].toSorted());
    expect((await a.signingKey()).kid).toBe(kid);
    expect(a.standing(first)).toMatchObject({ revoked: true });
    expect(a.standing(second)).toEqual({ signedUntil: clock + SIGNING_KEY_RELOAD_INTERVAL_MS, revoked: true });
    expect((await a.publicJwks()).map((key) => key.kid)).toEqual([kid]);
    // A second revocation has only the key the first one made to revoke.
    expect((await b.rotate({ revoke: true })).revoked).toEqual([kid]);
  });
});
