import { describe, expect, it } from 'vitest';
import { challengeOf, hashChallenge, newChallenge, relyingPartyFor, userHandleOf } from './relying-party';

const clientData = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('relying party', () => {
  it('is the host of PUBLIC_ORIGIN, with the origin itself as the only expected one', () => {
    expect(relyingPartyFor('https://app.example.com', 'Acme')).toEqual({
      ok: true,
      rp: { id: 'app.example.com', name: 'Acme', origin: 'https://app.example.com' },
    });
    expect(relyingPartyFor('http://localhost:3000', 'Tessera')).toMatchObject({ ok: true, rp: { id: 'localhost' } });
  });

  it('is refused for an IP address, v4 or v6, with a reason that says what to do', () => {
    for (const origin of ['http://127.0.0.1:3000', 'https://[::1]:8443', 'https://203.0.113.9']) {
      const rp = relyingPartyFor(origin, 'Tessera');
      expect(rp.ok).toBe(false);
      if (!rp.ok) expect(rp.reason).toMatch(/IP address.*passkeys are off.*localhost/);
    }
  });
});

describe('challenges', () => {
  it('are 32 random bytes, carried as base64url and stored as a hash', () => {
    const first = newChallenge();
    const second = newChallenge();
    expect(first.bytes).toHaveLength(32);
    expect(first.text).toBe(Buffer.from(first.bytes).toString('base64url'));
    expect(first.text).not.toBe(second.text);
    expect(hashChallenge(first.text)).not.toContain(first.text);
    expect(hashChallenge(first.text)).toBe(hashChallenge(first.text));
  });

  it('are read from client data, and junk reads as none', () => {
    expect(challengeOf(clientData({ type: 'webauthn.get', challenge: 'abc' }))).toBe('abc');
    expect(challengeOf(clientData({ challenge: 42 }))).toBeNull();
    expect(challengeOf(clientData({ challenge: 'x'.repeat(200) }))).toBeNull();
    expect(challengeOf(clientData(['challenge']))).toBeNull();
    expect(challengeOf('not-json')).toBeNull();
  });

  it("name the account by its id's bytes, nothing personal", () => {
    expect(Buffer.from(userHandleOf('3f2c…id')).toString()).toBe('3f2c…id');
  });
});
