/** The SPA's response headers (OWASP HTTP Headers and Content Security Policy cheat sheets). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callProcedure, registerUser, startTestServer, type TestServer } from '../testing';

let webRoot: string;
const servers: TestServer[] = [];
beforeAll(() => {
  webRoot = mkdtempSync(join(tmpdir(), 'tessera-headers-'));
  mkdirSync(join(webRoot, 'assets'));
  writeFileSync(
    join(webRoot, 'index.html'),
    '<!doctype html><title>t</title><script type="module" src="/assets/a.js"></script>',
  );
  writeFileSync(join(webRoot, 'assets', 'a.js'), '');
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.dispose()));
  rmSync(webRoot, { recursive: true, force: true });
});

async function page(env: Record<string, string> = {}): Promise<Headers> {
  const server = await startTestServer({ webRoot, env });
  servers.push(server);
  return (await fetch(`${server.url}/`, { headers: { accept: 'text/html' } })).headers;
}

function directives(csp: string | null): Map<string, string> {
  return new Map(
    (csp ?? '').split(';').map((directive) => {
      const [name = '', ...values] = directive.trim().split(/\s+/);
      return [name, values.join(' ')];
    }),
  );
}

describe('security headers', () => {
  it("sends a Content-Security-Policy with script-src 'self' (no unsafe-inline), object-src 'none', base-uri 'none', frame-ancestors 'none'", async () => {
    const csp = directives((await page()).get('content-security-policy'));
    expect(csp.get('script-src')).toBe("'self'");
    expect(csp.get('object-src')).toBe("'none'");
    expect(csp.get('base-uri')).toBe("'none'");
    expect(csp.get('frame-ancestors')).toBe("'none'");
    expect(csp.get('default-src')).toBe("'self'");
    expect([...csp.values()].join(' ')).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it('sends X-Content-Type-Options: nosniff and a strict Referrer-Policy', async () => {
    const headers = await page();
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('referrer-policy')).toBe('no-referrer');
    expect(headers.get('x-frame-options')).toBe('DENY');
  });

  it('sends HSTS when served over https, and not over plain http', async () => {
    expect((await page()).get('strict-transport-security')).toBeNull();
    const https = await page({ PUBLIC_ORIGIN: 'https://app.example.com', MAIL_TRANSPORT: 'log' });
    expect(https.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    expect(directives(https.get('content-security-policy')).has('upgrade-insecure-requests')).toBe(true);
  });

  it('does not advertise the server software', async () => {
    const headers = await page();
    expect(headers.get('x-powered-by')).toBeNull();
    expect(headers.get('server')).toBeNull();
  });
});

/** @see issue 8, finding 7: answers carrying tokens had no Cache-Control. */
describe('caching of API answers', () => {
  it('sends Cache-Control: no-store on every /trpc answer: tokens, account data and errors alike', async () => {
    const server = await startTestServer();
    servers.push(server);
    const { accessToken, refreshToken, answer: registered } = await registerUser(server.url, 'nostore@example.com');
    const bearer = { authorization: `Bearer ${accessToken}` };
    const answers = [
      registered,
      await callProcedure(server.url, 'auth.login', {
        input: { email: 'nostore@example.com', password: 'a strong password' },
      }),
      await callProcedure(server.url, 'auth.me', { method: 'GET', headers: bearer }),
      await callProcedure(server.url, 'auth.refresh', {
        headers: { cookie: `__Secure-tessera_refresh=${refreshToken}` },
      }),
      await callProcedure(server.url, 'auth.changePassword', {
        input: { currentPassword: 'a strong password', newPassword: 'another strong one' },
        headers: bearer,
      }),
      await callProcedure(server.url, 'auth.me', { method: 'GET' }),
      await callProcedure(server.url, 'auth.login', { body: 'not json' }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 401, 400]);
    for (const answer of answers) expect(answer.headers.get('cache-control')).toBe('no-store');
  });
});
