/**
 * Positions in legacy files for reports: the scanner works in character indexes, reports name
 * UTF-8 byte offsets (what `dd`, `head -c` and editors' byte counters use) and lines.
 */

const CHECKPOINT_CHARS = 4096;

/** UTF-8 length of `text[from, to)`; each half of a surrogate pair counts 2, so any split is exact. */
const utf8Length = (text: string, from: number, to: number): number => {
  let bytes = 0;
  for (let at = from; at < to; at += 1) {
    const code = text.charCodeAt(at);
    bytes += code < 0x80 ? 1 : code < 0x800 || (code >= 0xd800 && code <= 0xdfff) ? 2 : 3;
  }
  return bytes;
};

/** Turns character indexes of one text into UTF-8 byte offsets and line/column positions. */
export interface Locator {
  /** Byte offset of a character index; cheap, for every record. */
  byte(at: number): number;
  /** Byte offset plus 1-based line and column; for the few damage reports. */
  position(at: number): { byte: number; line: number; column: number };
}

/**
 * A locator with a byte count every 4096 characters, so a file with thousands of records costs
 * linear time rather than one prefix measurement per record.
 */
export const createLocator = (text: string): Locator => {
  const isAscii = !/[\u0080-\uffff]/.test(text);
  const checkpoints: number[] = [0];
  if (!isAscii) {
    for (let start = 0; start + CHECKPOINT_CHARS <= text.length; start += CHECKPOINT_CHARS) {
      const previous = checkpoints[checkpoints.length - 1] as number;
      checkpoints.push(previous + utf8Length(text, start, start + CHECKPOINT_CHARS));
    }
  }
  const byte = (at: number): number => {
    if (isAscii) return at;
    const slot = Math.floor(at / CHECKPOINT_CHARS);
    const base = checkpoints[slot] as number;
    return base + utf8Length(text, slot * CHECKPOINT_CHARS, at);
  };
  return {
    byte,
    position: (at) => {
      let line = 1;
      for (
        let index = text.indexOf('\n');
        index !== -1 && index < at;
        index = text.indexOf('\n', index + 1)
      ) {
        line += 1;
      }
      return { byte: byte(at), line, column: at - (text.lastIndexOf('\n', at - 1) + 1) + 1 };
    },
  };
};
