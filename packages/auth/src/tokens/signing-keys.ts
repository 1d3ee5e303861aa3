import { createPrivateKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { type CryptoKey, calculateJwkThumbprint, importJWK, type JWK } from 'jose';
import type { NewSigningKey, SigningKeyStore } from '../store/store';
import type { SecretBox } from './secret-box';

export const ACCESS_TOKEN_ALG = 'EdDSA';

/** A kid is the key's RFC 7638 thumbprint: SHA-256, base64url. Anything else is not ours. */
const KID_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** At most one database read per interval for kids we do not know, whatever a client sends. */
const UNKNOWN_KID_RELOAD_INTERVAL_MS = 1_000;
/**
 * The longest a process goes without reloading its keys: it signs with a key another process
 * retired (`npm run keys:rotate`, or a rotation by age) for at most this long after the
 * retirement, so no honest token of a retired key is younger (see `signedUntil`). A rotation is
 * usually seen much sooner: announced on PostgreSQL, read with the revocations on SQLite.
 */
export const SIGNING_KEY_RELOAD_INTERVAL_MS = 60_000;

interface VerificationKey {
  publicJwk: JWK;
  publicKey: CryptoKey;
  retiredAt: number | null;
  revokedAt: number | null;
}

/** What a verifier must know of the key that signed a token, beyond its signature. */
export interface KeyStanding {
  /**
   * The latest time (epoch ms, by the retiring process's clock) an honest token of this key can
   * have been issued: Infinity while it signs. A token issued later was made with a stolen
   * private key.
   */
  signedUntil: number;
  /** Distrusted by `keys:rotate -- --revoke`: its honest tokens are refused, and their clients refresh. */
  revoked: boolean;
}

interface ActiveKey {
  kid: string;
  privateKey: CryptoKey;
  /** The same key for node:crypto's synchronous `sign`, which costs a fifth of WebCrypto's. */
  signer: KeyObject;
  createdAt: number;
}

export interface SigningKeyRingOptions {
  store: SigningKeyStore;
  /** Seals the private keys at rest: the database alone signs nothing. */
  box: SecretBox;
  /** Seconds a token lives: a retired key keeps verifying that long after it stops signing. */
  accessTokenTtl: number;
  /** Seconds after which the signing key is replaced. */
  signingKeyMaxAge: number;
  now?: () => number;
}

/**
 * The Ed25519 keys of this deployment, persisted in the store so that every process (and every
 * instance on a shared database) and every restart signs and verifies with the same keys. Keys
 * are imported into CryptoKeys once, when loaded: jose would otherwise re-import a JWK on every
 * call.
 *
 * @example
 * const keys = await SigningKeyRing.open({ store, box, accessTokenTtl: 300, signingKeyMaxAge: 2_592_000 });
 * const { kid, privateKey } = await keys.signingKey();
 */
export class SigningKeyRing {
  private active: ActiveKey | undefined;
  private verification = new Map<string, VerificationKey>();
  private lastLoadAt = 0;
  /** When an unknown kid last caused a reload: such reloads are throttled, the first is not. */
  private lastUnknownKidReloadAt = Number.NEGATIVE_INFINITY;
  /** Reloads started and the latest applied: a reload that read before another does not overwrite it. */
  private loadsStarted = 0;
  private loadApplied = 0;
  /** The reload running in the background, and whether another must follow it. */
  private backgroundReload: Promise<void> | null = null;
  private reloadAgain = false;
  /** When a background reload last started: a failing database is not asked on every request. */
  private lastBackgroundReloadAt = Number.NEGATIVE_INFINITY;
  private readonly now: () => number;

  private constructor(private readonly options: SigningKeyRingOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Loads the keys, creating the first one on a new database. Private keys still stored in plain
   * text (before sealing existed) or sealed under a previous `SECRET_KEY` are sealed anew first.
   */
  static async open(options: SigningKeyRingOptions): Promise<SigningKeyRing> {
    const ring = new SigningKeyRing(options);
    await ring.sealStoredKeys();
    await ring.reload();
    await ring.ensureActive();
    return ring;
  }

  /** The key that signs new tokens, replaced first if it has grown older than the maximum age. */
  async signingKey(): Promise<{ kid: string; privateKey: CryptoKey; signer: KeyObject }> {
    await this.reloadIfStale();
    const active = this.active;
    if (!active || active.createdAt + this.options.signingKeyMaxAge * 1000 <= this.now()) {
      await this.rotate();
    }
    if (!this.active) throw new Error('No active signing key after rotation');
    return this.active;
  }

  /**
   * The public key for `kid`, or null when it is unknown or retired for longer than a token lives.
   * A revoked key's is given too: a genuine token of it is told apart from a forgery (see
   * `standing`). An unknown, well-formed kid reloads the ring before it is refused (another
   * instance may have rotated a moment ago); such reloads happen at most once per interval,
   * whatever clients send.
   */
  async verificationKey(kid: string): Promise<CryptoKey | null> {
    if (!KID_PATTERN.test(kid)) return null;
    this.reloadInBackgroundIfStale();
    let entry = this.verification.get(kid);
    if (!entry && this.now() - this.lastUnknownKidReloadAt >= UNKNOWN_KID_RELOAD_INTERVAL_MS) {
      this.lastUnknownKidReloadAt = this.now();
      await this.reload();
      entry = this.verification.get(kid);
    }
    if (!entry || !this.stillVerifies(entry.retiredAt)) return null;
    return entry.publicKey;
  }

  /**
   * What this ring knows of `kid` (see {@link KeyStanding}), or null when it is unknown or no
   * longer verifies (retired for longer than a token lives): what every verification asks once
   * the signature is good, and a cached one on every hit. No database read: the keys are reloaded
   * in the background once they are older than the reload interval.
   */
  standing(kid: string): KeyStanding | null {
    this.reloadInBackgroundIfStale();
    const entry = this.verification.get(kid);
    if (!entry || !this.stillVerifies(entry.retiredAt)) return null;
    return { signedUntil: signedUntil(entry.retiredAt), revoked: entry.revokedAt !== null };
  }

  /** The public keys that may still verify a live token, for `/.well-known/jwks.json`; never a revoked one. */
  async publicJwks(): Promise<JWK[]> {
    await this.reloadIfStale();
    return [...this.verification.values()]
      .filter((key) => this.stillVerifies(key.retiredAt) && key.revokedAt === null)
      .map((key) => key.publicJwk);
  }

  /**
   * Makes a new key the signing key; the old one keeps verifying until its last token expires.
   * Safe to call from several processes at once: only the first replaces the key they all saw.
   *
   * With `revoke` (a key has leaked), every other key is revoked in the same transaction:
   * whichever process rotated last, only the new key is trusted, here at once and in every other
   * process as soon as it reloads (PostgreSQL announces it). Resolves to the signing key and the
   * kids revoked.
   */
  async rotate({ revoke = false }: { revoke?: boolean } = {}): Promise<{ kid: string; revoked: string[] }> {
    const key = await this.newKey();
    const deleteRetiredBefore = key.createdAt - this.verifyWindowMs();
    let revoked: string[] = [];
    if (revoke) revoked = await this.options.store.replaceRevokingAll(key, deleteRetiredBefore);
    else await this.options.store.replaceActive(this.active?.kid, key, deleteRetiredBefore);
    await this.reload();
    return { kid: (await this.ensureActive()).kid, revoked };
  }

  /**
   * Another process may have changed the keys (its rotation was announced, or a poll saw it):
   * reloads now, in the background. One that arrives during a reload runs another after it, as
   * the running one may have read too early.
   */
  keysChanged(): void {
    if (this.backgroundReload) {
      this.reloadAgain = true;
      return;
    }
    this.lastBackgroundReloadAt = this.now();
    this.backgroundReload = this.reload()
      // A failed reload leaves the keys as they were; the next verification past the interval,
      // or the next signature, tries again.
      .catch(() => undefined)
      .finally(() => {
        this.backgroundReload = null;
        if (this.reloadAgain) {
          this.reloadAgain = false;
          this.keysChanged();
        }
      });
  }

  /** A database without a signing key (a new one, or every key retired by hand) gets one. */
  private async ensureActive(): Promise<ActiveKey> {
    if (!this.active) {
      await this.insertKeyUnlessAnotherProcessDid(undefined);
      await this.reload();
    }
    if (!this.active) throw new Error('No active signing key');
    return this.active;
  }

  private async reloadIfStale(): Promise<void> {
    if (this.now() - this.lastLoadAt >= SIGNING_KEY_RELOAD_INTERVAL_MS) await this.reload();
  }

  /**
   * Verification never waits on the database, but must learn of retirements too: past the
   * interval it starts a reload, at most one a second while the database fails.
   */
  private reloadInBackgroundIfStale(): void {
    const now = this.now();
    if (this.backgroundReload || now - this.lastLoadAt < SIGNING_KEY_RELOAD_INTERVAL_MS) return;
    if (now - this.lastBackgroundReloadAt < UNKNOWN_KID_RELOAD_INTERVAL_MS) return;
    this.keysChanged();
  }

  private stillVerifies(retiredAt: number | null): boolean {
    return retiredAt === null || retiredAt + this.verifyWindowMs() > this.now();
  }

  /** Token lifetime plus a minute of clock skew between processes. */
  private verifyWindowMs(): number {
    return (this.options.accessTokenTtl + 60) * 1000;
  }

  private async sealStoredKeys(): Promise<void> {
    const { box } = this.options;
    await this.options.store.resealAll((kid, privateJwk) => {
      if (box.isSealed(privateJwk) && !box.needsRewrap(privateJwk)) return null;
      const plain = box.isSealed(privateJwk) ? box.open(privateJwk, privateKeyContext(kid)) : privateJwk;
      return box.seal(plain, privateKeyContext(kid));
    });
  }

  private async insertKeyUnlessAnotherProcessDid(expectedActiveKid: string | undefined): Promise<void> {
    const key = await this.newKey();
    await this.options.store.replaceActive(expectedActiveKid, key, key.createdAt - this.verifyWindowMs());
  }

  private async newKey(): Promise<NewSigningKey> {
    const { publicJwk, privateJwk, kid } = await generateEd25519Jwks();
    return {
      kid,
      publicJwk: JSON.stringify(publicJwk),
      privateJwk: this.options.box.seal(JSON.stringify(privateJwk), privateKeyContext(kid)),
      createdAt: this.now(),
    };
  }

  private async reload(): Promise<void> {
    const now = this.now();
    const load = ++this.loadsStarted;
    const rows = await this.options.store.verifiable(now - this.verifyWindowMs());
    const verification = new Map<string, VerificationKey>();
    let active: ActiveKey | undefined;
    for (const row of rows) {
      const publicJwk = withMetadata(JSON.parse(row.publicJwk) as JWK, row.kid);
      const known = this.verification.get(row.kid);
      const publicKey = known?.publicKey ?? (await importCryptoKey(publicJwk));
      verification.set(row.kid, { publicJwk, publicKey, retiredAt: row.retiredAt, revokedAt: row.revokedAt });
      if (!active && row.retiredAt === null) {
        if (this.active?.kid === row.kid) {
          active = { ...this.active, createdAt: row.createdAt };
        } else {
          const privateJwk = JSON.parse(this.options.box.open(row.privateJwk, privateKeyContext(row.kid))) as JWK;
          const privateKey = await importCryptoKey(privateJwk);
          const signer = createPrivateKey({ key: privateJwk as JsonWebKey, format: 'jwk' });
          active = { kid: row.kid, privateKey, signer, createdAt: row.createdAt };
        }
      }
    }
    // Reloads overlap (a signature's, a verification's, an announcement's): the one that read
    // first must not overwrite what a later one read.
    if (load < this.loadApplied) return;
    this.loadApplied = load;
    this.verification = verification;
    this.active = active;
    this.lastLoadAt = now;
  }
}

/**
 * The latest an honest token of a key retired at `retiredAt` can have been issued: a process
 * keeps signing with it until it reloads, at most {@link SIGNING_KEY_RELOAD_INTERVAL_MS} later.
 */
function signedUntil(retiredAt: number | null): number {
  return retiredAt === null ? Number.POSITIVE_INFINITY : retiredAt + SIGNING_KEY_RELOAD_INTERVAL_MS;
}

async function generateEd25519Jwks(): Promise<{ publicJwk: JWK; privateJwk: JWK; kid: string }> {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicJwk = publicKey.export({ format: 'jwk' }) as JWK;
  const privateJwk = privateKey.export({ format: 'jwk' }) as JWK;
  // The thumbprint covers only crv, kty and x, so it is the same for both halves.
  const kid = await calculateJwkThumbprint(publicJwk);
  return { publicJwk, privateJwk, kid };
}

async function importCryptoKey(jwk: JWK): Promise<CryptoKey> {
  const key = await importJWK(jwk, ACCESS_TOKEN_ALG);
  if (key instanceof Uint8Array) throw new Error('Expected an asymmetric key');
  return key;
}

function withMetadata(jwk: JWK, kid: string): JWK {
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, kid, alg: ACCESS_TOKEN_ALG, use: 'sig' };
}

/** Binds a sealed private key to its row. */
const privateKeyContext = (kid: string) => `signing_keys.private_jwk:${kid}`;
