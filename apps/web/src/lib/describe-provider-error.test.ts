import { describe, expect, it } from 'vitest';
import { describeProviderError } from './describe-provider-error';

describe('describeProviderError', () => {
  it('says each known reason in a sentence, and nothing for an unknown one or none', () => {
    expect(describeProviderError('?provider_error=email_taken')).toMatch(
      /^An account with this email already exists\./,
    );
    expect(describeProviderError('?provider_error=state')).toMatch(/\.$/);
    expect(describeProviderError('?provider_error=%3Cscript%3E')).toBeNull();
    expect(describeProviderError('?provider_error=toString')).toBeNull();
    expect(describeProviderError('')).toBeNull();
  });
});
