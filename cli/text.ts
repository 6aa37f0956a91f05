/**
 * Text rules of `coord`. Data printed in human output (titles, ids, notes, error messages) may
 * hold anything an API caller stored, so it is made printable before it reaches a terminal:
 * control characters (C0 such as ESC, CR and LF, DEL, C1), line and paragraph separators,
 * bidirectional overrides and lone surrogates become visible escapes (`\x1b`, `\n`,
 * `\u202e`, `\ud800`), so no colour code, cursor move or fake table row gets through. Lengths
 * count code points, as the API counts them, and text is never cut inside a code point (nor
 * inside a grapheme such as a flag or a family emoji).
 */

/**
 * One character that must not reach a terminal raw: a control character (Cc), a line or
 * paragraph separator, a bidirectional embedding, override or isolate, or a lone surrogate.
 */
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const escaped = (character: string): string => {
  const named = NAMED[character];
  if (named) return named;
  const code = character.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
};

/** `text` with every unsafe character shown as an escape; for one line of human output. */
export const printable = (text: string): string => text.replace(UNSAFE, escaped);

/** Like `printable`, but keeps newlines and tabs (a description printed as a block). */
export const printableBlock = (text: string): string =>
  text.replace(UNSAFE, (character) =>
    character === '\n' || character === '\t' ? character : escaped(character),
  );

/** Length in code points (what the API's `maxLength` counts). */
export const codePointLength = (text: string): number => {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
};

const ELLIPSIS = '…';
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * `text` cut to at most `max` code points, ending in an ellipsis when cut. It cuts between
 * graphemes (never inside a code point, nor a flag or an emoji sequence); a single grapheme
 * longer than the room left is cut between its code points.
 */
export const truncate = (text: string, max: number): string => {
  if (codePointLength(text) <= max) return text;
  const room = Math.max(0, max - 1);
  let kept = '';
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const size = codePointLength(segment);
    if (used + size > room) {
      if (used === 0) kept = Array.from(segment).slice(0, room).join('');
      break;
    }
    kept += segment;
    used += size;
  }
  return `${kept}${ELLIPSIS}`;
};

/** Control characters the API refuses in text fields: every Cc but tab and newline. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const REFUSED_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Why the API would refuse `text` as a string field (a control character other than tab and
 * newline, or a lone surrogate), or undefined when it is fine.
 */
export const refusedCharacter = (text: string): string | undefined => {
  const control = REFUSED_CONTROL.exec(text);
  if (control)
    return `a control character (${escaped(control[0])}) at position ${codePointLength(text.slice(0, control.index)) + 1}`;
  const lone = LONE_SURROGATE.exec(text);
  if (lone)
    return `a lone surrogate (${escaped(lone[0])}) at position ${codePointLength(text.slice(0, lone.index)) + 1}`;
  return undefined;
};

/** True when `text` has no lone surrogate (it encodes to UTF-8 and JSON without loss). */
export const isWellFormed = (text: string): boolean => !LONE_SURROGATE.test(text);
