import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** AES-256-GCM: 32-byte keys, 12-byte nonces, 16-byte tags. */
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';

/**
 * Encrypts the server's secrets at rest (private signing keys, the successor a refresh token
 * keeps for its grace window) under a key-encryption key that is not in the database, so a copy
 * of the database alone signs no token and yields no refresh token.
 *
 * A sealed value reads `v1.<key id>.<nonce>.<ciphertext and tag>`; the key id says which key
 * sealed it, so a rotated `SECRET_KEY` can still open what its predecessor sealed (and
 * `needsRewrap` finds those values). Each value is bound to a context (its table, column and
 * row), so a ciphertext moved to another row does not open.
 *
 * @example
 * const box = createSecretBox({ key });
 * const sealed = box.seal(privateJwk, `signing_keys.private_jwk:${kid}`);
 * box.open(sealed, `signing_keys.private_jwk:${kid}`); // privateJwk
 */
export interface SecretBox {
  seal(plaintext: string, context: string): string;
  /** Throws if the value was tampered with, moved to another context, or sealed by an unknown key. */
  open(sealed: string, context: string): string;
  /** True for a value this box's format recognises (a plain-text row from before is not). */
  isSealed(value: string): boolean;
  /** True when the value is sealed, but not under the current key. */
  needsRewrap(sealed: string): boolean;
}

export interface SecretBoxKeys {
  /** The current key-encryption key: 32 bytes. */
  key: Buffer;
  /** Keys being rotated out: values they sealed still open, and are re-sealed at start. */
  previousKeys?: readonly Buffer[];
}

/**
 * A short, public name for a key: which key sealed a value, without revealing anything of it.
 *
 * @example
 * keyId(key); // 'q1w2e3r4t5y6'
 */
export function keyId(key: Buffer): string {
  return createHash('sha256').update('tessera secret-box key id').update(key).digest('base64url').slice(0, 12);
}

/**
 * @example
 * const box = createSecretBox({ key: Buffer.from(process.env.SECRET_KEY ?? '', 'base64') });
 */
export function createSecretBox({ key, previousKeys = [] }: SecretBoxKeys): SecretBox {
  for (const candidate of [key, ...previousKeys]) {
    if (candidate.length !== KEY_BYTES) throw new Error(`A secret key must be ${KEY_BYTES} bytes`);
  }
  const currentId = keyId(key);
  const keys = new Map([[currentId, key], ...previousKeys.map((old): [string, Buffer] => [keyId(old), old])]);

  const parse = (sealed: string) => {
    const [version, id, iv, body, ...rest] = sealed.split('.');
    if (version !== VERSION || !id || !iv || !body || rest.length > 0) return null;
    return { id, iv: Buffer.from(iv, 'base64url'), body: Buffer.from(body, 'base64url') };
  };

  return {
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return [VERSION, currentId, iv.toString('base64url'), body.toString('base64url')].join('.');
    },
    open(sealed, context) {
      const parts = parse(sealed);
      if (!parts) throw new Error('Not a sealed value');
      const sealingKey = keys.get(parts.id);
      if (!sealingKey) throw new Error(`Sealed by an unknown key (${parts.id}): is SECRET_KEY the right one?`);
      const decipher = createDecipheriv('aes-256-gcm', sealingKey, parts.iv);
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(parts.body.subarray(parts.body.length - TAG_BYTES));
      const plaintext = Buffer.concat([
        decipher.update(parts.body.subarray(0, parts.body.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return plaintext.toString('utf8');
    },
    isSealed: (value) => parse(value) !== null,
    needsRewrap(sealed) {
      const parts = parse(sealed);
      return parts !== null && parts.id !== currentId;
    },
  };
}

/**
 * A fresh random key-encryption key.
 *
 * @example
 * writeFileSync(path, generateSecretKey().toString('base64'), { mode: 0o600 });
 */
export function generateSecretKey(): Buffer {
  return randomBytes(KEY_BYTES);
}
