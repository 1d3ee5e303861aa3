import { describe, expect, it } from 'vitest';
import { describeActivity } from './describe-activity';

describe('describeActivity', () => {
  it('says how a sign-in was proved: a first factor, then any second step', () => {
    const signedIn = (method: Parameters<typeof describeActivity>[0]['method']) =>
      describeActivity({ type: 'signed_in', method });
    expect(signedIn('password')).toBe('Signed in');
    expect(signedIn(null)).toBe('Signed in');
    expect(signedIn('passkey')).toBe('Signed in with a passkey');
    expect(signedIn('password_totp')).toBe('Signed in with password and authenticator code');
    expect(signedIn('github')).toBe('Signed in with GitHub');
    expect(signedIn('google_recovery_code')).toBe('Signed in with Google and recovery code');
    expect(signedIn('oidc_passkey')).toBe('Signed in with your identity provider and passkey');
  });

  it('names every other event in words', () => {
    expect(describeActivity({ type: 'identity_linked', method: 'github' })).toBe('Connected an account at a provider');
    expect(describeActivity({ type: 'reauthenticated', method: 'github' })).toBe('Confirmed it was you');
  });
});
