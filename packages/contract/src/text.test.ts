import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { followsTextRule, multiLineText, singleLineText } from './text';

/** Every C0 control, DEL and the C1 controls: none belongs in one line of text. */
const controls = [
  ...Array.from({ length: 0x20 }, (_, code) => String.fromCharCode(code)),
  '\u007f',
  '\u0085',
  '\u009f',
];
const messageOf = (schema: z.ZodType, value: string) => schema.safeParse(value).error?.issues[0]?.message;

describe('singleLineText', () => {
  it.each(controls.map((character) => [character.charCodeAt(0).toString(16), character]))(
    'refuses U+%s anywhere in the value',
    (_code, character) => {
      expect(messageOf(singleLineText('Title'), `a${character}b`)).toBe('Title must not contain control characters.');
    },
  );

  it('keeps every other character, and trims before the check when asked', () => {
    expect(singleLineText('Name').parse(' Ada Lovelace – “ｆｕｌｌ” 😀 ')).toBe(' Ada Lovelace – “ｆｕｌｌ” 😀 ');
    expect(singleLineText('Name', { trim: true }).parse('\tAda\r\n')).toBe('Ada');
    expect(singleLineText('Name', { trim: true }).safeParse('A\tda').success).toBe(false);
  });
});

describe('multiLineText', () => {
  it('keeps tabs and line breaks, and refuses NUL and every other control', () => {
    expect(multiLineText('Body').parse('one\r\ntwo\n\tthree')).toBe('one\r\ntwo\n\tthree');
    for (const character of controls.filter((c) => !['\t', '\n', '\r'].includes(c))) {
      expect(messageOf(multiLineText('Body'), `a${character}b`)).toBe(
        'Body must not contain control characters (line breaks and tabs are fine).',
      );
    }
  });
});

describe('followsTextRule', () => {
  it('tells a string built with the rule, even after further checks, from one without', () => {
    expect(followsTextRule(singleLineText('Name').min(1).max(100))).toBe(true);
    expect(followsTextRule(multiLineText('Body').max(10))).toBe(true);
    expect(followsTextRule(z.string().max(100))).toBe(false);
    expect(followsTextRule(z.string().refine((value) => !value.includes('\u0000')))).toBe(false);
  });
});
