import type { FeatureStores } from '@tessera/api';
import { createCallerFactory, router } from '@tessera/api';
import { createTestAuth, signedInContext, testContext, testEngines } from '@tessera/api/testing';
import type { Auth } from '@tessera/auth';
import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { notesFeature } from './index';
import { notesRouter } from './router';

const createCaller = createCallerFactory(router({ notes: notesRouter }));

async function codeOf(call: Promise<unknown>): Promise<string> {
  return call.then(
    () => 'OK',
    (error: unknown) => (error instanceof TRPCError ? error.code : 'NOT_A_TRPC_ERROR'),
  );
}

describe.each(testEngines)('notes on $engine', ({ engine, skipReason }) => {
  if (skipReason !== null) console.warn(`notes on ${engine}: ${skipReason}`);
  let auth: Auth;
  let stores: FeatureStores;
  let dispose: (() => Promise<void>) | undefined;
  beforeEach(async (context) => {
    if (skipReason !== null) context.skip(skipReason);
    ({ auth, stores, dispose } = await createTestAuth({ engine, features: [notesFeature] }));
  });
  afterEach(async () => {
    await dispose?.();
    dispose = undefined;
  });

  async function signedIn() {
    const { ctx } = await signedInContext(auth, stores);
    return createCaller(ctx).notes;
  }

  it('creates, reads, updates and deletes a note of one’s own', async () => {
    const notes = await signedIn();
    const created = await notes.create({ title: '  Groceries ', body: 'eggs' });
    expect(created).toEqual({
      id: expect.any(String),
      title: 'Groceries',
      body: 'eggs',
      createdAt: expect.any(Number),
      updatedAt: created.createdAt,
    });
    expect(await notes.get({ id: created.id })).toEqual(created);
    const updated = await notes.update({ id: created.id, body: 'eggs, milk' });
    expect(updated).toMatchObject({ title: 'Groceries', body: 'eggs, milk' });
    expect(await notes.delete({ id: created.id })).toEqual({ ok: true });
    expect(await codeOf(notes.get({ id: created.id }))).toBe('NOT_FOUND');
  });

  it('deletes every note of a deleted account, and only theirs, when asked twice too (its account hook)', async () => {
    const { ctx, user } = await signedInContext(auth, stores);
    const mine = createCaller(ctx).notes;
    const theirs = await signedIn();
    await mine.create({ title: 'One', body: '' });
    await mine.create({ title: 'Two', body: '' });
    const kept = await theirs.create({ title: 'Not mine', body: '' });

    await notesFeature.account.deleteUserData(stores, user.id);
    await notesFeature.account.deleteUserData(stores, user.id);

    expect((await mine.list({})).items).toEqual([]);
    expect((await theirs.list({})).items).toEqual([kept]);
  });

  it('answers NOT_FOUND, never FORBIDDEN, for another user’s note, and leaves it alone', async () => {
    const mine = await signedIn();
    const theirs = await signedIn();
    const note = await theirs.create({ title: 'Private', body: 'secret' });
    expect(await codeOf(mine.get({ id: note.id }))).toBe('NOT_FOUND');
    expect(await codeOf(mine.update({ id: note.id, title: 'Mine now' }))).toBe('NOT_FOUND');
    expect(await codeOf(mine.delete({ id: note.id }))).toBe('NOT_FOUND');
    expect((await mine.list()).items).toEqual([]);
    expect(await theirs.get({ id: note.id })).toMatchObject({ title: 'Private' });
  });

  it('lists newest first, a page at a time, following nextCursor to the end', async () => {
    const notes = await signedIn();
    const titles = Array.from({ length: 25 }, (_, i) => `Note ${i}`);
    for (const title of titles) await notes.create({ title, body: '' });

    const first = await notes.list({ limit: 10 });
    expect(first.items.map((n) => n.title)).toEqual(titles.toReversed().slice(0, 10));
    const second = await notes.list({ limit: 10, cursor: first.nextCursor });
    const third = await notes.list({ limit: 10, cursor: second.nextCursor });
    expect([...first.items, ...second.items, ...third.items].map((n) => n.title)).toEqual(titles.toReversed());
    expect(third.nextCursor).toBeNull();
    expect((await notes.list()).items).toHaveLength(20);
    // TanStack Query's infinite queries add a direction; only forward (older) pages exist.
    expect((await notes.list({ limit: 5, direction: 'forward' })).items).toHaveLength(5);
  });

  it('enforces the limits: title 1–200 characters, body up to 20,000, a real cursor', async () => {
    const notes = await signedIn();
    expect(await codeOf(notes.create({ title: ' ', body: '' }))).toBe('BAD_REQUEST');
    expect(await codeOf(notes.create({ title: 't'.repeat(201), body: '' }))).toBe('BAD_REQUEST');
    expect(await codeOf(notes.create({ title: 't', body: 'b'.repeat(20_001) }))).toBe('BAD_REQUEST');
    expect(await codeOf(notes.create({ title: 't'.repeat(200), body: 'b'.repeat(20_000) }))).toBe('OK');
    expect(await codeOf(notes.list({ cursor: 'not-a-cursor' }))).toBe('BAD_REQUEST');
    expect(await codeOf(notes.update({ id: crypto.randomUUID() }))).toBe('BAD_REQUEST');
  });

  it('requires a signed-in caller', async () => {
    const anonymous = createCaller(testContext(auth, stores)).notes;
    expect(await codeOf(anonymous.list())).toBe('UNAUTHORIZED');
  });
});
