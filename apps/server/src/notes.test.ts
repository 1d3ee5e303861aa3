import { afterEach, describe, expect, it } from 'vitest';
import { callProcedure, createTestClient, registerUser, startTestServer, type TestServer } from './testing';

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

/** @see issue 20, finding 7: on PostgreSQL a NUL in a note or a cursor was a 500 and a level-50 log line. */
describe('control characters in notes and cursors', () => {
  it('are refused with BAD_REQUEST on every engine, never a 500 or an error in the log', async () => {
    const log: { level: number }[] = [];
    server = await startTestServer({
      env: { LOG_LEVEL: 'info' },
      logStream: { write: (line: string) => log.push(JSON.parse(line)) },
    });
    const { accessToken } = await registerUser(server.url, 'nul@example.com');
    const headers = { authorization: `Bearer ${accessToken}` };
    const create = (input: unknown) => callProcedure(server.url, 'notes.create', { input, headers });
    const list = (cursor: string) =>
      callProcedure(server.url, 'notes.list', { method: 'GET', input: { cursor }, headers });
    const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const note = (await create({ title: 'Mine', body: '' })).body as { result: { data: { id: string } } };
    const update = (input: object) =>
      callProcedure(server.url, 'notes.update', { input: { id: note.result.data.id, ...input }, headers });

    const answers = [
      await create({ title: 'nul\u0000title', body: '' }),
      await create({ title: 'tab\tinside', body: '' }),
      await create({ title: 'Body', body: 'nul\u0000body' }),
      await create({ title: 'Body', body: 'bell\u0007' }),
      await update({ title: 'nul\u0000title' }),
      await update({ body: 'nul\u0000body' }),
      await list('\u0000'),
      await list(`${cursorOf([1_767_225_600_000, crypto.randomUUID()])}\u0000`),
      await list(cursorOf([1_767_225_600_000, '\u0000'])),
      await list(cursorOf([1_767_225_600_000, 'not-a-note-id'])),
      await list(cursorOf([-1, crypto.randomUUID()])),
    ];
    expect(answers.map((answer) => [answer.status, answer.code])).toEqual(answers.map(() => [400, 'BAD_REQUEST']));
    // The schema's own sentence, as the page shows it (issue 26: not "Invalid input. title: …").
    expect(answers[0]?.message).toBe('Title must not contain control characters.');

    // Lines and tabs are a body's own: only NUL and the other controls are refused.
    expect((await create({ title: 'Lines', body: 'one\r\ntwo\tthree' })).status).toBe(200);
    expect(log.filter((line) => line.level >= 50)).toEqual([]);
  });
});
