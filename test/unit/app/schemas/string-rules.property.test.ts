import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { textProblem } from '#app/schemas/json-rules';
import { CreateWorkBody } from '#app/schemas/work';
import { ValidationError } from '#core/errors';
import { bodyCheck } from '#functions/shared/validation';

const checkCreate = bodyCheck(CreateWorkBody);

/** Strings mixing ordinary text with every kind of trouble: emoji, lone halves, control characters. */
const anyText = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary', maxLength: 8 }),
      fc.constantFrom(
        '\ud800',
        '\udfff',
        '\u0000',
        '\u001b',
        '\r',
        '\u0085',
        '\t',
        '\n',
        '🚀',
        'é',
        'x'.repeat(60),
      ),
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(''));

const isWellFormed = (text: string): boolean => Buffer.from(text, 'utf8').toString('utf8') === text;
const codePoints = (text: string): number => [...text].length;

describe('the string rules of titles', () => {
  it('either accept a title that survives UTF-8 and JSON intact or refuse it on /title', () => {
    fc.assert(
      fc.property(anyText, (title) => {
        let accepted = true;
        try {
          checkCreate({ type: 'build', title, team: 't' });
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
          const errors = (error as ValidationError).details.errors as { path: string }[];
          expect(errors.map((e) => e.path)).toEqual(['/title']);
          accepted = false;
        }
        const plain = textProblem(title) === undefined;
        const fits = codePoints(title) >= 1 && codePoints(title) <= 200;
        expect(accepted).toBe(plain && fits);
        if (accepted) {
          expect(isWellFormed(title)).toBe(true);
          expect(JSON.parse(Buffer.from(JSON.stringify({ title }), 'utf8').toString('utf8')).title).toBe(
            title,
          );
        }
      }),
      { numRuns: 500 },
    );
  });

  it('counts length in code points: 196 letters and four emoji fit in 200', () => {
    expect(() =>
      checkCreate({ type: 'build', title: `${'x'.repeat(196)}🚀🚀🚀🚀`, team: 't' }),
    ).not.toThrow();
    expect(() => checkCreate({ type: 'build', title: `${'x'.repeat(197)}🚀🚀🚀🚀`, team: 't' })).toThrow(
      ValidationError,
    );
  });

  it.each([
    ['a lone surrogate', 'a\ud800b', 'must not hold a lone surrogate (half of a UTF-16 pair)'],
    ['a NUL', 'a\u0000b', 'must not hold control characters other than tab and newline'],
    ['an escape sequence', '\u001b[31mred', 'must not hold control characters other than tab and newline'],
    ['a carriage return', 'a\rb', 'must not hold control characters other than tab and newline'],
  ])('refuses a title with %s on /title', (_name, title, message) => {
    expect(() => checkCreate({ type: 'build', title, team: 't' })).toThrow(
      expect.objectContaining({ details: { errors: [{ path: '/title', message }] } }),
    );
  });

  it('keeps tab and newline in titles', () => {
    expect(() => checkCreate({ type: 'build', title: 'a\tb\nc', team: 't' })).not.toThrow();
  });
});
