import { rawSql } from './raw-sql';
import type { TestServer } from './test-server';
import { createTestClient } from './trpc-test-client';

/**
 * A device of its own (cookie jar, access token) signed up to a new account whose address is
 * proved, as the mailed link would (passkeys and two-step verification need a proved address).
 *
 * @example
 * const ada = await signedUpDevice(server, 'ada@example.com');
 * await ada.client.notes.create.mutate({ title: 'Hello', body: '' });
 */
export async function signedUpDevice(server: TestServer, email: string, password = 'a strong password') {
  const device = createTestClient(server.url);
  const session = await device.client.auth.register.mutate({ email, password });
  device.setAccessToken(session.accessToken);
  await rawSql(server.dbFile, `update users set email_verified_at = 1 where email = '${email}'`);
  return { ...device, session, email };
}
