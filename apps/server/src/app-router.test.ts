import { followsTextRule } from '@tessera/contract';
import type { AnyProcedure } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { appRouter } from './app-router';

/**
 * Where a procedure's input can hold a string that skips the contract's text rule
 * (`singleLineText` / `multiLineText`), as paths like `notes.create › body`. A UUID needs no rule:
 * its format admits hex digits and dashes only. A schema kind this walk does not know is reported
 * too, so a new kind of input cannot slip past unread.
 */
function stringsWithoutRule(schema: z.core.$ZodType, at: string): string[] {
  const def = (schema as z.core.$ZodTypes)._zod.def;
  switch (def.type) {
    case 'string': {
      const isUuid = 'format' in def && def.format === 'uuid';
      return isUuid || followsTextRule(schema) ? [] : [at];
    }
    case 'object':
      return Object.entries(def.shape).flatMap(([key, field]) => stringsWithoutRule(field, `${at} › ${key}`));
    case 'array':
      return stringsWithoutRule(def.element, `${at} › []`);
    case 'union':
      return def.options.flatMap((option) => stringsWithoutRule(option, at));
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
      return stringsWithoutRule(def.innerType, at);
    // What the first stage passed is all the later stages see.
    case 'pipe':
      return stringsWithoutRule(def.in, at);
    // No string of the client's own: numbers, fixed values, and `clientExtensionResults` (dropped unread).
    case 'number':
    case 'boolean':
    case 'literal':
    case 'enum':
    case 'custom':
      return [];
    default:
      return [`${at}: a ${def.type} schema, which this walk does not read`];
  }
}

describe('every procedure input', () => {
  it('builds each of its strings with the contract’s text rule, so none takes a NUL or a control character', () => {
    // Flat at run time, by dotted path, though typed as the nested router.
    const procedures = appRouter._def.procedures as unknown as Record<string, AnyProcedure>;
    const inputs = Object.entries(procedures).flatMap(([path, procedure]) =>
      procedure._def.inputs.map((input) => [path, input] as const),
    );
    const unruled = inputs.flatMap(([path, input]) =>
      input instanceof z.ZodType ? stringsWithoutRule(input, path) : [`${path}: not a zod schema`],
    );
    expect(unruled).toEqual([]);
    // The walk reaches the inputs this rule was written for.
    expect(inputs.map(([path]) => path)).toEqual(expect.arrayContaining(['notes.create', 'notes.list', 'auth.login']));
  });
});
