/**
 * Property-based fuzzing of every procedure's input with fast-check: thousands of generated
 * inputs over HTTP, on the engine of the run (SQLite, or PostgreSQL in the `postgres` project),
 * and not one 5xx, stack trace, SQL text or error in the server's log.
 */
import type { AnyProcedure } from '@trpc/server';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { appRouter } from '../app-router';
import { callProcedure, registerUser, startTestServer, type TestServer, type TrpcAnswer } from '../testing';

let server: TestServer;
let accessToken: string;
/** What the server logged at level error (50) or above: LOG_LEVEL=error lets nothing else through. */
const loggedErrors: string[] = [];
beforeAll(async () => {
  // A fresh client address per request (trusted proxy header), so the per-address limit does not
  // turn most generated inputs into 429s before they reach validation.
  server = await startTestServer({
    env: { TRUST_PROXY: '1', LOG_LEVEL: 'error' },
    logStream: { write: (line: string) => loggedErrors.push(line) },
  });
  ({ accessToken } = await registerUser(server.url, 'fuzz@example.com'));
});
afterEach(() => {
  expect(loggedErrors.splice(0)).toEqual([]);
});
afterAll(async () => {
  await server.dispose();
});

const RUNS = 300;

/** Every C0 control (NUL first), DEL and a C1 control: what PostgreSQL's `text` or a one-line field refuses. */
const control = fc.oneof(
  { arbitrary: fc.constant('\u0000'), weight: 2 },
  fc.integer({ min: 0, max: 0x1f }).map((code) => String.fromCharCode(code)),
  fc.constantFrom('\u007f', '\u0085'),
);
/** Text of any characters, controls among them as often as anything else. */
const anyText = fc.string({
  unit: fc.oneof(control, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })),
  maxLength: 300,
});
/** Text that would pass but for one control character somewhere in it. */
const withControl = (text: fc.Arbitrary<string>) =>
  fc.tuple(text, control, fc.nat()).map(([value, character, at]) => {
    const cut = at % (value.length + 1);
    return value.slice(0, cut) + character + value.slice(cut);
  });

/** Plausible and hostile values for every field our procedures take. */
const fieldValue = fc.oneof(
  fc.jsonValue(),
  fc.emailAddress(),
  withControl(fc.emailAddress()),
  fc.string({ minLength: 0, maxLength: 300 }),
  anyText,
  withControl(fc.string({ minLength: 1, maxLength: 60 })),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.uuid(),
  fc.constantFrom("' OR 1=1 --", '\u0000', '__proto__', 'constructor', '<script>alert(1)</script>', 'ａ@ｅ.com'),
);
/** A cursor that decodes to a page end of plausible shape with hostile parts (a NUL in the id, say). */
const hostileCursor = fc
  .tuple(
    fc.oneof({ arbitrary: fc.nat(), weight: 3 }, fieldValue),
    fc.oneof(fc.uuid(), { arbitrary: withControl(fc.uuid()), weight: 3 }, fieldValue),
  )
  .map((page) => Buffer.from(JSON.stringify(page)).toString('base64url'));
/** Fields whose passing values `fieldValue` seldom makes: given often, so the rest of an input gets past them. */
const fieldValues: Record<string, fc.Arbitrary<unknown>> = {
  cursor: fc.oneof({ arbitrary: hostileCursor, weight: 3 }, { arbitrary: fieldValue, weight: 1 }),
  limit: fc.oneof(fc.integer({ min: -1, max: 101 }), fieldValue),
  direction: fc.oneof(fc.constant('forward'), fieldValue),
};
const valueFor = (field: string) => fieldValues[field] ?? fieldValue;

/** A procedure's field names, read from its input schema: every field it takes gets fuzzed. */
const fieldsOf = (schema: unknown): string[] => {
  if (schema instanceof z.ZodOptional) return fieldsOf(schema.unwrap());
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
};
const inputFor = (procedure: AnyProcedure) => {
  const fields = procedure._def.inputs.flatMap(fieldsOf);
  // Mostly the procedure's own fields, as a client would send them; now and then anything at all.
  return fc.oneof(
    {
      arbitrary: fc.record(Object.fromEntries(fields.map((field) => [field, valueFor(field)])), { requiredKeys: [] }),
      weight: 3,
    },
    { arbitrary: fc.jsonValue(), weight: 1 },
  );
};

// Flat at run time, by dotted path, though typed as the nested router.
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, AnyProcedure>);
const mutations = procedures.filter(([, procedure]) => procedure._def.type === 'mutation');
const queries = procedures.filter(([, procedure]) => procedure._def.type === 'query');
/** Called signed out only: signing out would end the session every other run uses. */
const signingOut = new Set(['auth.logout', 'auth.logoutAll']);
const clientAddress = fc.ipV4();

/**
 * Throws (inside a property, so fast-check shrinks to the input at fault) on a 5xx or a line
 * logged at level error. The lines are taken either way, so the next run starts clean.
 */
function expectNoServerError(status: number, text: string): void {
  const logged = loggedErrors.splice(0);
  if (status >= 500) throw new Error(`HTTP ${status}: ${text.slice(0, 300)}`);
  if (logged.length > 0) throw new Error(`logged at level error: ${logged[0]?.slice(0, 1000)}`);
}

function expectCleanAnswer(answer: TrpcAnswer): void {
  expectNoServerError(answer.status, answer.text);
  expect(answer.text).not.toMatch(/SQLITE|no such table|syntax error|invalid byte sequence|\n\s+at /);
}

describe('fuzzing every procedure', () => {
  it.each(mutations)('%s: generated JSON inputs never produce a 5xx', async (path, procedure) => {
    await fc.assert(
      fc.asyncProperty(inputFor(procedure), clientAddress, fc.boolean(), async (input, ip, signedIn) => {
        const headers: Record<string, string> = { 'x-forwarded-for': ip };
        if (signedIn && !signingOut.has(path)) headers.authorization = `Bearer ${accessToken}`;
        expectCleanAnswer(await callProcedure(server.url, path, { input, headers }));
      }),
      { numRuns: RUNS },
    );
  });

  it.each(queries)('%s: generated query inputs never produce a 5xx', async (path, procedure) => {
    await fc.assert(
      fc.asyncProperty(inputFor(procedure), clientAddress, fc.boolean(), async (input, ip, signedIn) => {
        const headers: Record<string, string> = { 'x-forwarded-for': ip };
        if (signedIn) headers.authorization = `Bearer ${accessToken}`;
        expectCleanAnswer(await callProcedure(server.url, path, { method: 'GET', input, headers }));
      }),
      { numRuns: RUNS },
    );
  });

  it('raw request bodies and content types never produce a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...mutations.map(([path]) => path)),
        fc.oneof(fc.string({ unit: 'binary', maxLength: 500 }), anyText),
        fc.constantFrom(
          'application/json',
          'application/json; charset=utf-8',
          'text/plain',
          'application/x-www-form-urlencoded',
        ),
        clientAddress,
        async (path, body, contentType, ip) => {
          const response = await fetch(`${server.url}/trpc/${path}`, {
            method: 'POST',
            headers: { 'content-type': contentType, 'x-forwarded-for': ip },
            body,
          });
          expectNoServerError(response.status, await response.text());
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('generated Authorization headers never produce a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 500 }).map((s) => `Bearer ${s}`),
          fc.tuple(fc.base64String(), fc.base64String(), fc.base64String()).map((parts) => `Bearer ${parts.join('.')}`),
          fc.string({ maxLength: 200 }),
        ),
        async (authorization) => {
          const safe = authorization.replace(/[^\t\x20-\x7e]/g, '');
          expectCleanAnswer(
            await callProcedure(server.url, 'auth.me', { method: 'GET', headers: { authorization: safe } }),
          );
        },
      ),
      { numRuns: RUNS },
    );
  });
});
