import { describe, expect, it } from 'vitest';
import { securityHeaders } from './security-headers';

const CSP =
  "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data:;font-src 'self';connect-src 'self';object-src 'none';base-uri 'none';frame-ancestors 'none';form-action 'self'";

const common = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'DENY',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

describe('securityHeaders', () => {
  it('is helmet’s set for our policy, computed once: no HSTS over plain http', () => {
    expect(securityHeaders(false)).toEqual({ 'content-security-policy': CSP, ...common });
  });

  it('adds HSTS and upgrade-insecure-requests over https', () => {
    expect(securityHeaders(true)).toEqual({
      'content-security-policy': `${CSP};upgrade-insecure-requests`,
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      ...common,
    });
  });
});
