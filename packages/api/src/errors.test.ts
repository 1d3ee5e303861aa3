import { AuthError } from '@tessera/auth';
import { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { messages, toClientError } from './errors';

/** A driver error as node-postgres raises it, and as Drizzle wraps it (the driver's error as the cause). */
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });
const wrapped = (cause: Error) => new Error('Failed query: insert into "notes" …\nparams: [withheld]', { cause });

const clientView = (error: unknown) =>
  error instanceof TRPCError ? { code: error.code, message: error.message } : 'left as it is';

describe('toClientError', () => {
  it.each([
    ['22021 (a NUL: character_not_in_repertoire)', '22021', 'invalid byte sequence for encoding "UTF8": 0x00'],
    ['22P05 (untranslatable_character)', '22P05', 'character with byte sequence 0xe2 0x82 0xac has no equivalent'],
  ])('answers BAD_REQUEST for text the database cannot store: %s, bare or wrapped', (_name, code, message) => {
    const expected = { code: 'BAD_REQUEST', message: messages.unstorableText };
    expect(clientView(toClientError(pgError(code, message)))).toEqual(expected);
    expect(clientView(toClientError(wrapped(pgError(code, message))))).toEqual(expected);
  });

  it('answers SERVICE_UNAVAILABLE for a database that cannot be reached', () => {
    expect(clientView(toClientError(wrapped(pgError('57P03', 'the database system is starting up'))))).toEqual({
      code: 'SERVICE_UNAVAILABLE',
      message: messages.unavailable,
    });
  });

  it('maps a core error by its code, and leaves any other error to become a 500', () => {
    expect(clientView(toClientError(new AuthError('EMAIL_TAKEN')))).toEqual({
      code: 'CONFLICT',
      message: messages.emailTaken,
    });
    for (const error of [pgError('23505', 'duplicate key value'), new Error('no such table: sessions'), 'text']) {
      expect(toClientError(error)).toBe(error);
    }
  });
});
