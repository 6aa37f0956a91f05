/**
 * A strict JSON scanner for legacy files that are often damaged. `JSON.parse` only says a
 * whole file is bad; the importer must say where (file, byte offset), keep the whole records
 * before the damage when asked to, and read the telemetry files, which are JSON values
 * concatenated without separators. The scanner only finds value boundaries and syntax errors;
 * `JSON.parse` of a scanned slice builds the value.
 */

/** Deeper nesting than this is refused; legacy records are at most three levels deep. */
const MAX_DEPTH = 256;

/** A syntax problem at a character index of the scanned text. */
export interface ScanIssue {
  readonly at: number;
  readonly message: string;
}

class ScanError extends Error {
  constructor(
    readonly at: number,
    message: string,
  ) {
    super(message);
  }
}

const isWhitespace = (char: string | undefined): boolean =>
  char === ' ' || char === '\n' || char === '\r' || char === '\t';

/** Index of the first non-whitespace character at or after `from` (the text's length if none). */
export const skipWhitespace = (text: string, from: number): number => {
  let at = from;
  while (at < text.length && isWhitespace(text[at])) at += 1;
  return at;
};

/** Index of the last non-whitespace character before `from` (-1 if none). */
const previousNonWhitespace = (text: string, from: number): number => {
  let at = from - 1;
  while (at >= 0 && isWhitespace(text[at])) at -= 1;
  return at;
};

const describe = (text: string, at: number): string =>
  at >= text.length ? 'end of file' : `'${text[at] === '\n' ? '\\n' : text[at]}'`;

class Scanner {
  constructor(
    private readonly text: string,
    private at: number,
  ) {}

  value(depth: number): number {
    const { text } = this;
    this.at = skipWhitespace(text, this.at);
    const char = text[this.at];
    if (char === '{') return this.object(depth + 1);
    if (char === '[') return this.array(depth + 1);
    if (char === '"') return this.string();
    if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) return this.number();
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, this.at)) {
        this.at += word.length;
        return this.at;
      }
    }
    throw new ScanError(this.at, `expected a JSON value, found ${this.bareWordOr(describe(text, this.at))}`);
  }

  private bareWordOr(fallback: string): string {
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.at, this.at + 40));
    return word ? `the bare word '${word[0]}'` : fallback;
  }

  private guardDepth(depth: number): void {
    if (depth > MAX_DEPTH) throw new ScanError(this.at, `nesting deeper than ${MAX_DEPTH} levels`);
  }

  private object(depth: number): number {
    this.guardDepth(depth);
    const { text } = this;
    this.at = skipWhitespace(text, this.at + 1);
    if (text[this.at] === '}') return ++this.at;
    for (;;) {
      this.at = skipWhitespace(text, this.at);
      if (text[this.at] !== '"') {
        throw new ScanError(this.at, `expected a property name, found ${describe(text, this.at)}`);
      }
      this.string();
      this.at = skipWhitespace(text, this.at);
      if (text[this.at] !== ':')
        throw new ScanError(this.at, `expected ':', found ${describe(text, this.at)}`);
      this.at += 1;
      this.value(depth);
      this.at = skipWhitespace(text, this.at);
      const next = text[this.at];
      if (next === '}') return ++this.at;
      if (next !== ',') throw new ScanError(this.at, `expected ',' or '}', found ${describe(text, this.at)}`);
      this.at += 1;
    }
  }

  private array(depth: number): number {
    this.guardDepth(depth);
    const { text } = this;
    this.at = skipWhitespace(text, this.at + 1);
    if (text[this.at] === ']') return ++this.at;
    for (;;) {
      this.value(depth);
      this.at = skipWhitespace(text, this.at);
      const next = text[this.at];
      if (next === ']') return ++this.at;
      if (next !== ',') throw new ScanError(this.at, `expected ',' or ']', found ${describe(text, this.at)}`);
      this.at += 1;
    }
  }

  private string(): number {
    const { text } = this;
    this.at += 1;
    while (this.at < text.length) {
      const char = text[this.at] as string;
      if (char === '"') return ++this.at;
      if (char === '\\') {
        const escaped = text[this.at + 1];
        if (escaped === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(this.at + 2, this.at + 6))) {
            throw new ScanError(this.at, 'invalid \\u escape');
          }
          this.at += 6;
          continue;
        }
        if (escaped === undefined || !'"\\/bfnrt'.includes(escaped)) {
          throw new ScanError(this.at, 'invalid escape in a string');
        }
        this.at += 2;
        continue;
      }
      if (char < ' ') throw new ScanError(this.at, 'control character inside a string');
      this.at += 1;
    }
    throw new ScanError(text.length, 'unterminated string');
  }

  private number(): number {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(
      this.text.slice(this.at, this.at + 400),
    );
    if (!match) throw new ScanError(this.at, 'malformed number');
    this.at += match[0].length;
    return this.at;
  }
}

/** Scans one JSON value starting at `from` (after whitespace): the index past it, or the issue. */
export const scanValue = (text: string, from: number): { end: number } | { issue: ScanIssue } => {
  try {
    return { end: new Scanner(text, from).value(0) };
  } catch (error) {
    if (error instanceof ScanError) return { issue: { at: error.at, message: error.message } };
    throw error;
  }
};

/** One whole value found in a container, with its character span. */
export interface ScannedElement {
  readonly index: number;
  readonly start: number;
  readonly end: number;
  readonly value: unknown;
}

/** Where a container stopped being valid, and where reading resumed (salvage and streams). */
export interface ScanDamage extends ScanIssue {
  /** Index the damaged element would have had. */
  readonly index: number;
  /** Start of the damaged element (the skipped range begins here). */
  readonly from: number;
  /** Where the next whole element starts, if one was found. */
  readonly resumedAt?: number;
}

/** How the top level of a file was laid out. */
export type ContainerShape = 'array' | 'bare-values' | 'stream' | 'empty';

/** Result of reading a container of records. */
export interface ScannedContainer {
  readonly shape: ContainerShape;
  readonly elements: readonly ScannedElement[];
  readonly damage: readonly ScanDamage[];
}

type Separators = { readonly before: string; readonly after: string };

// '}' before a record: a torn write can drop the comma between two whole records.
const ARRAY_SEPARATORS: Separators = { before: ',[}', after: ',]' };
const STREAM_SEPARATORS: Separators = { before: '}]', after: '{[' };

/**
 * Finds the next `{` after `from` that starts a whole object standing where a record stands:
 * preceded by a record separator (or the start of the text) and followed by one (or the end).
 * Nested objects are preceded by ':' and so are never mistaken for records.
 */
const resynchronize = (text: string, from: number, separators: Separators): number | undefined => {
  for (let at = text.indexOf('{', from); at !== -1; at = text.indexOf('{', at + 1)) {
    const before = previousNonWhitespace(text, at);
    if (before !== -1 && !separators.before.includes(text[before] as string)) continue;
    const scanned = scanValue(text, at);
    if (!('end' in scanned)) continue;
    const after = skipWhitespace(text, scanned.end);
    if (after >= text.length || separators.after.includes(text[after] as string)) return at;
  }
  return undefined;
};

const element = (text: string, index: number, start: number, end: number): ScannedElement => ({
  index,
  start,
  end,
  value: JSON.parse(text.slice(start, end)),
});

const firstCharacter = (text: string): number => skipWhitespace(text, text.startsWith('\uFEFF') ? 1 : 0);

/**
 * Reads a file that should hold one JSON array of records. Without `salvage` it stops at the
 * first problem (the caller must then import nothing from the file). With `salvage` it skips a
 * damaged element up to the next whole record, and also accepts the bare comma-separated
 * objects the legacy script writes when jq is missing; every skipped range is in `damage`.
 */
export const scanArrayFile = (text: string, options: { salvage: boolean }): ScannedContainer => {
  const start = firstCharacter(text);
  if (start >= text.length) {
    return {
      shape: 'empty',
      elements: [],
      damage: [{ at: start, from: start, index: 0, message: 'the file is empty (no JSON array)' }],
    };
  }
  if (text[start] === '[') return scanElements(text, start + 1, 'array', options.salvage);
  const found = text[start] === '{' ? 'an object' : describe(text, start);
  const shapeDamage: ScanDamage = {
    at: start,
    from: start,
    index: 0,
    message: `expected '[' (a JSON array), found ${found}${text[start] === '{' ? ' (the shape the legacy script writes without jq)' : ''}`,
    ...(options.salvage && text[start] === '{' ? { resumedAt: start } : {}),
  };
  if (!options.salvage || text[start] !== '{')
    return { shape: 'bare-values', elements: [], damage: [shapeDamage] };
  const rest = scanElements(text, start, 'bare-values', true);
  return { ...rest, damage: [shapeDamage, ...rest.damage] };
};

const scanElements = (
  text: string,
  from: number,
  shape: 'array' | 'bare-values',
  salvage: boolean,
): ScannedContainer => {
  const elements: ScannedElement[] = [];
  const damage: ScanDamage[] = [];
  const closing = shape === 'array';
  let at = skipWhitespace(text, from);
  if (closing && text[at] === ']') return finishArray(text, at + 1, shape, elements, damage);
  for (;;) {
    at = skipWhitespace(text, at);
    // The no-jq shape ends with a trailing comma and a lone ']'; both are part of that shape.
    if (
      !closing &&
      (at >= text.length || (text[at] === ']' && skipWhitespace(text, at + 1) >= text.length))
    ) {
      return { shape, elements, damage };
    }
    let from = at;
    const scanned = scanValue(text, at);
    let issue: ScanIssue;
    // A damaged element is skipped from its second character; after a whole element that lacks
    // its separator, the next record may start right at the problem.
    let searchFrom = from + 1;
    if ('end' in scanned) {
      elements.push(element(text, elements.length + damage.length, from, scanned.end));
      at = skipWhitespace(text, scanned.end);
      const next = text[at];
      if (closing && next === ']') return finishArray(text, at + 1, shape, elements, damage);
      if (next === ',') {
        at += 1;
        continue;
      }
      if (!closing && at >= text.length) return { shape, elements, damage };
      issue = { at, message: `expected ',' or ']', found ${describe(text, at)}` };
      from = at;
      searchFrom = at;
    } else {
      issue = scanned.issue;
    }
    const index = elements.length + damage.length;
    const resumedAt = salvage ? resynchronize(text, searchFrom, ARRAY_SEPARATORS) : undefined;
    damage.push({ ...issue, index, from, ...(resumedAt === undefined ? {} : { resumedAt }) });
    if (resumedAt === undefined) return { shape, elements, damage };
    at = resumedAt;
  }
};

const finishArray = (
  text: string,
  after: number,
  shape: ContainerShape,
  elements: ScannedElement[],
  damage: ScanDamage[],
): ScannedContainer => {
  const rest = skipWhitespace(text, after);
  if (rest < text.length) {
    damage.push({
      at: rest,
      from: rest,
      index: elements.length + damage.length,
      message: `unexpected ${describe(text, rest)} after the end of the array`,
    });
  }
  return { shape, elements, damage };
};

/**
 * Reads concatenated JSON values (the telemetry files: pretty-printed objects one after
 * another, or one per line). A value that does not parse is skipped up to the next whole
 * object and reported in `damage`; reading never stops early.
 */
export const scanValueStream = (text: string): ScannedContainer => {
  const elements: ScannedElement[] = [];
  const damage: ScanDamage[] = [];
  let at = firstCharacter(text);
  while (at < text.length) {
    const scanned = scanValue(text, at);
    const index = elements.length + damage.length;
    if ('end' in scanned) {
      elements.push(element(text, index, at, scanned.end));
      at = skipWhitespace(text, scanned.end);
      continue;
    }
    const resumedAt = resynchronize(text, at + 1, STREAM_SEPARATORS);
    damage.push({ ...scanned.issue, index, from: at, ...(resumedAt === undefined ? {} : { resumedAt }) });
    if (resumedAt === undefined) break;
    at = resumedAt;
  }
  return { shape: 'stream', elements, damage };
};
