import { afterEach, describe, expect, it } from 'vitest';
import { createTestClient, startTestServer, type TestServer } from './testing';

let server: TestServer;
afterEach(async () => {
  await server.dispose();
});

async function signedIn(email: string) {
  const { client, setAccessToken } = createTestClient(server.url);
  const session = await client.auth.register.mutate({ email, password: 'a strong password' });
  setAccessToken(session.accessToken);
  return client;
}

describe('the notes feature over HTTP', () => {
  it('is mounted at notes.*, keeps each user’s notes to themselves, and pages newest first', async () => {
    server = await startTestServer();
    const ada = await signedIn('ada@example.com');
    const bob = await signedIn('bob@example.com');

    const first = await ada.notes.create.mutate({ title: 'First', body: 'a' });
    await ada.notes.create.mutate({ title: 'Second', body: 'b' });
    const page = await ada.notes.list.query({ limit: 1 });
    expect(page.items.map((note) => note.title)).toEqual(['Second']);
    const rest = await ada.notes.list.query({ limit: 1, cursor: page.nextCursor });
    expect(rest).toEqual({ items: [first], nextCursor: null });

    const denied = await bob.notes.get.query({ id: first.id }).catch((error: { data?: { code?: string } }) => error);
    expect(denied).toMatchObject({ data: { code: 'NOT_FOUND' } });
    expect(await bob.notes.list.query()).toEqual({ items: [], nextCursor: null });
  });
});
