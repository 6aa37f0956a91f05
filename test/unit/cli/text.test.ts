import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  codePointLength,
  isWellFormed,
  printable,
  printableBlock,
  refusedCharacter,
  truncate,
} from '../../../cli/text';

const hasLoneSurrogate = (text: string): boolean => !isWellFormed(text);

describe('printable', () => {
  it('shows control characters, separators, bidi overrides and lone surrogates as escapes', () => {
    expect(printable('a\u001b[31mred\u001b[0m')).toBe('a\\x1b[31mred\\x1b[0m');
    expect(printable('row\r\nfake row\tx')).toBe('row\\r\\nfake row\\tx');
    expect(printable('\u0000\u007f\u0085\u009b')).toBe('\\x00\\x7f\\x85\\x9b');
    expect(printable('a\u2028b\u202ec\u2066')).toBe('a\\u2028b\\u202ec\\u2066');
    expect(printable('x\ud800y\udfffz')).toBe('x\\ud800y\\udfffz');
  });

  it('keeps ordinary text, accents and emoji as they are', () => {
    const text = 'Café ✓ 🚀 👨‍👩‍👧 🇫🇷 日本語';
    expect(printable(text)).toBe(text);
  });

  it('keeps newlines and tabs in blocks only', () => {
    expect(printableBlock('a\n\tb\u001bc\rd')).toBe('a\n\tb\\x1bc\\rd');
  });
});

describe('truncate', () => {
  it('never cuts inside a code point: 198 x and four rockets give 199 code points and an ellipsis', () => {
    const title = truncate(`${'x'.repeat(198)}🚀🚀🚀🚀`, 200);

    expect(title).toBe(`${'x'.repeat(198)}🚀…`);
    expect(codePointLength(title)).toBe(200);
    expect(hasLoneSurrogate(title)).toBe(false);
  });

  it('cuts between graphemes, so a flag or a family stays whole or goes', () => {
    expect(truncate(`${'x'.repeat(8)}🇫🇷🇫🇷`, 10)).toBe(`${'x'.repeat(8)}…`);
    expect(truncate('ab👨‍👩‍👧cd', 6)).toBe('ab…');
  });

  it('leaves text within the limit alone', () => {
    expect(truncate('🚀'.repeat(200), 200)).toBe('🚀'.repeat(200));
  });
});

describe('refusedCharacter', () => {
  it('names control characters other than tab and newline, and lone surrogates', () => {
    expect(refusedCharacter('ok\ttab\nline')).toBeUndefined();
    expect(refusedCharacter('bad\u0000')).toBe('a control character (\\x00) at position 4');
    expect(refusedCharacter('🚀\u001b')).toBe('a control character (\\x1b) at position 2');
    expect(refusedCharacter('x\ud800')).toBe('a lone surrogate (\\ud800) at position 2');
    expect(refusedCharacter('\u0085')).toBe('a control character (\\x85) at position 1');
  });
});

describe('the text rules on any string', () => {
  const anyString = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.string({ unit: 'grapheme', maxLength: 400 }),
    fc.string({ unit: fc.constantFrom('\u001b', '\r', '\n', '\u0085', '🚀', '🇫🇷', '\ud800', '\udc00', 'x') }),
  );

  it('truncate keeps a well-formed prefix of at most max code points, whole when it fits', () => {
    fc.assert(
      fc.property(anyString, fc.integer({ min: 1, max: 300 }), (text, max) => {
        const cut = truncate(text, max);
        expect(codePointLength(cut)).toBeLessThanOrEqual(max);
        if (codePointLength(text) <= max) expect(cut).toBe(text);
        else {
          expect(cut.endsWith('…')).toBe(true);
          expect(text.startsWith(cut.slice(0, -1))).toBe(true);
          if (isWellFormed(text)) expect(isWellFormed(cut)).toBe(true);
        }
      }),
    );
  });

  it('printable leaves no control character, separator or lone surrogate, and changes nothing else', () => {
    fc.assert(
      fc.property(anyString, (text) => {
        const shown = printable(text);
        expect(isWellFormed(shown)).toBe(true);
        expect(refusedCharacter(shown)).toBeUndefined();
        expect([...shown].some((c) => c === '\n' || c === '\t' || c === '\u2028' || c === '\u202e')).toBe(
          false,
        );
        if (
          refusedCharacter(text) === undefined &&
          !/[\n\t\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(text)
        ) {
          expect(shown).toBe(text);
        }
      }),
    );
  });
});
