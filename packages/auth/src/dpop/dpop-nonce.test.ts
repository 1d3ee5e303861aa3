import { describe, expect, it } from 'vitest';
import { createSecretBox, generateSecretKey } from '../tokens/secret-box';
import { DPOP_NONCE_PERIOD_MS, dpopNonces } from './dpop-nonce';

describe('server-issued DPoP nonces', () => {
  it('hands out one nonce a period, which every instance with the key takes for two periods', () => {
    const key = generateSecretKey();
    let now = 1_800_000_000_000;
    const here = dpopNonces(createSecretBox({ key }), () => now);
    const elsewhere = dpopNonces(createSecretBox({ key }), () => now);
    const nonce = here.current();
    expect(here.current()).toBe(nonce);
    expect(elsewhere.accepts(nonce)).toBe(true);
    now += DPOP_NONCE_PERIOD_MS;
    expect(here.current()).not.toBe(nonce);
    expect(elsewhere.accepts(nonce)).toBe(true);
    now += DPOP_NONCE_PERIOD_MS;
    expect(here.accepts(nonce)).toBe(false);
    expect(elsewhere.accepts(nonce)).toBe(false);
  });

  it('refuses a nonce sealed under another key, a forged one, and anything not a string', () => {
    const now = () => 1_800_000_000_000;
    const ours = dpopNonces(createSecretBox({ key: generateSecretKey() }), now);
    const theirs = dpopNonces(createSecretBox({ key: generateSecretKey() }), now);
    expect(ours.accepts(theirs.current())).toBe(false);
    expect(ours.accepts(String(Math.floor(now() / DPOP_NONCE_PERIOD_MS)))).toBe(false);
    expect(ours.accepts(undefined)).toBe(false);
    expect(ours.accepts(42)).toBe(false);
  });
});
