import { hash, verify } from '@node-rs/argon2';

/** OWASP Password Storage cheat sheet's argon2id minimum: 19 MiB, 2 passes, 1 lane. */
const argon2idOptions = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/**
 * Hashes a password with argon2id off the main thread (the native addon runs it on libuv's pool).
 *
 * @example
 * const stored = await hashPassword('correct horse battery staple');
 */
export function hashPassword(password: string): Promise<string> {
  return hash(password, argon2idOptions);
}

/**
 * Checks a password against a stored hash; a malformed hash is a mismatch, not an error.
 *
 * @example
 * if (!(await verifyPassword(user.passwordHash, input))) throw new AuthError('INVALID_CREDENTIALS');
 */
export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * A real hash of a random password, made once: verifying against it for an unknown email costs
 * the same time as a wrong password, so response time does not reveal which emails exist.
 */
export function getDummyHash(): Promise<string> {
  dummyHash ??= hashPassword(crypto.randomUUID());
  return dummyHash;
}

/** How passwords are hashed and checked: argon2id in production, something cheap in tests. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False for a mismatch or a malformed hash; never throws for either. */
  verify(storedHash: string, password: string): Promise<boolean>;
  /** A real hash of a random password, for unknown emails (so timing reveals nothing). */
  dummyHash(): Promise<string>;
}

/** argon2id at the OWASP parameters. */
export const argon2idHasher: PasswordHasher = { hash: hashPassword, verify: verifyPassword, dummyHash: getDummyHash };
