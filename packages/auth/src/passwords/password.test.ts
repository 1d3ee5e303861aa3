import { describe, expect, it } from 'vitest';
import { getDummyHash, hashPassword, verifyPassword } from './password';

describe('password hashing', () => {
  it('uses argon2id with the OWASP parameters and a fresh salt each time', async () => {
    const first = await hashPassword('correct horse battery staple');
    const second = await hashPassword('correct horse battery staple');
    expect(first).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(first).not.toBe(second);
  });

  it('accepts the right password and refuses a wrong, case-folded or truncated one', async () => {
    const stored = await hashPassword('Correct Horse 1');
    expect(await verifyPassword(stored, 'Correct Horse 1')).toBe(true);
    expect(await verifyPassword(stored, 'correct horse 1')).toBe(false);
    expect(await verifyPassword(stored, 'Correct Horse ')).toBe(false);
  });

  it('treats a malformed stored hash as a mismatch instead of throwing', async () => {
    expect(await verifyPassword('not-a-hash', 'whatever1')).toBe(false);
  });

  it('keeps one dummy hash that no password matches', async () => {
    const dummy = await getDummyHash();
    expect(await getDummyHash()).toBe(dummy);
    expect(dummy).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(dummy, '')).toBe(false);
  });
});
