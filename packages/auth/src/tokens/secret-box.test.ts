import { describe, expect, it } from 'vitest';
import { createSecretBox, generateSecretKey, keyId } from './secret-box';

describe('createSecretBox', () => {
  it('seals with AES-256-GCM under a fresh nonce, and opens what it sealed', () => {
    const box = createSecretBox({ key: generateSecretKey() });
    const first = box.seal('private key material', 'signing_keys.private_jwk:k1');
    const second = box.seal('private key material', 'signing_keys.private_jwk:k1');
    expect(first).not.toBe(second);
    expect(first).not.toContain('private key material');
    expect(box.isSealed(first)).toBe(true);
    expect(box.open(first, 'signing_keys.private_jwk:k1')).toBe('private key material');
  });

  it('refuses a value moved to another row, tampered with, or sealed by another key', () => {
    const box = createSecretBox({ key: generateSecretKey() });
    const sealed = box.seal('secret', 'row:1');
    expect(() => box.open(sealed, 'row:2')).toThrow();
    const [version, id, iv, body = ''] = sealed.split('.');
    const flipped = `${body[0] === 'A' ? 'B' : 'A'}${body.slice(1)}`;
    expect(() => box.open([version, id, iv, flipped].join('.'), 'row:1')).toThrow();
    expect(() => createSecretBox({ key: generateSecretKey() }).open(sealed, 'row:1')).toThrow(/unknown key/);
  });

  it('opens values sealed under a previous key, and says they need re-sealing', () => {
    const oldKey = generateSecretKey();
    const sealedBefore = createSecretBox({ key: oldKey }).seal('secret', 'row:1');
    const rotated = createSecretBox({ key: generateSecretKey(), previousKeys: [oldKey] });
    expect(rotated.open(sealedBefore, 'row:1')).toBe('secret');
    expect(rotated.needsRewrap(sealedBefore)).toBe(true);
    expect(rotated.needsRewrap(rotated.seal('secret', 'row:1'))).toBe(false);
    expect(sealedBefore.split('.')[1]).toBe(keyId(oldKey));
  });

  it('tells plain text from a sealed value, and refuses a key of the wrong size', () => {
    const box = createSecretBox({ key: generateSecretKey() });
    expect(box.isSealed('{"kty":"OKP","d":"…"}')).toBe(false);
    expect(() => createSecretBox({ key: Buffer.alloc(16) })).toThrow(/32 bytes/);
  });
});
