/**
 * Rules for what requests carry, stated in the schemas as keywords so the OpenAPI document shows
 * them (Ajv learns them from `JSON_KEYWORDS`):
 * - free-form JSON fields (metadata, results, details): `maxDepth` (how deeply objects and arrays
 *   may nest; the store refuses items nested past 32 levels) and `storable` (no empty object keys,
 *   numbers the store can hold, no lone surrogates);
 * - text fields (titles, types, reasons, notes, ids): `plainText`, no lone surrogates and no
 *   control characters other than tab and newline. Lengths count code points (Ajv's `unicode`).
 */

/** How deeply a free-form field may nest: `{}` is 1 level, `{"a": {}}` 2. */
export const MAX_JSON_DEPTH = 16;

/** DynamoDB numbers are below 1e126 and at least 1e-130 in magnitude (38 digits fit any double). */
const LARGEST = 1e126;
const SMALLEST = 1e-130;

/** How deeply a JSON value nests (0 for a scalar); walks without recursion, so any depth is safe. */
export const depthOf = (value: unknown): number => {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [current, level] = next;
    if (typeof current !== 'object' || current === null) continue;
    deepest = Math.max(deepest, level);
    for (const child of Object.values(current)) pending.push([child, level + 1]);
  }
  return deepest;
};

const escapePointer = (segment: string): string => segment.replaceAll('~', '~0').replaceAll('/', '~1');

/** A UTF-16 half without its other half: no valid JSON text or UTF-8 can carry it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const TAB = 0x09;
const NEWLINE = 0x0a;

/** Whether the text holds a C0 or C1 control character or DEL, other than tab and newline. */
const hasControl = (text: string): boolean => {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== TAB && code !== NEWLINE) || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
};

/** Why a string is not plain text (a lone surrogate or a control character), or undefined. */
export const textProblem = (text: string): string | undefined => {
  if (LONE_SURROGATE.test(text)) return 'must not hold a lone surrogate (half of a UTF-16 pair)';
  if (hasControl(text)) return 'must not hold control characters other than tab and newline';
  return undefined;
};

/** Why the store could not keep this JSON value (with the pointer inside it), or undefined. */
export const unstorableReason = (value: unknown): string | undefined => {
  const pending: [unknown, string][] = [[value, '']];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [current, pointer] = next;
    if (typeof current === 'string' && LONE_SURROGATE.test(current)) {
      return `holds a lone surrogate at ${pointer || '/'}`;
    }
    if (typeof current === 'number') {
      const size = Math.abs(current);
      if (!Number.isFinite(current) || (size !== 0 && (size >= LARGEST || size < SMALLEST))) {
        return `holds a number out of the storable range at ${pointer || '/'}`;
      }
    }
    if (typeof current !== 'object' || current === null) continue;
    for (const [key, child] of Object.entries(current)) {
      if (key === '' && !Array.isArray(current)) {
        return `has an empty key at ${pointer || '/'} (the store cannot keep one)`;
      }
      if (LONE_SURROGATE.test(key)) return `holds a lone surrogate in a key at ${pointer || '/'}`;
      pending.push([child, `${pointer}/${escapePointer(key)}`]);
    }
  }
  return undefined;
};

/** The options a free-form field's schema carries: both keywords and a description saying so. */
export const freeFormRules = (description = 'Free-form JSON') => ({
  maxDepth: MAX_JSON_DEPTH,
  storable: true,
  description: `${description}: nested at most ${MAX_JSON_DEPTH} levels deep, no empty keys, no lone surrogates, numbers below 1e126 in magnitude.`,
});

interface KeywordError {
  keyword: string;
  message: string;
  params: Record<string, unknown>;
}

/** A keyword validator that reports its own message (Ajv's `errors: true` form). */
interface ReportingValidator {
  (schema: unknown, data: unknown): boolean;
  errors?: KeywordError[];
}

const maxDepth: ReportingValidator = (limit, data) => {
  const ok = depthOf(data) <= Number(limit);
  maxDepth.errors = ok
    ? []
    : [{ keyword: 'maxDepth', message: `must be nested at most ${limit} levels deep`, params: { limit } }];
  return ok;
};

const storable: ReportingValidator = (wanted, data) => {
  const reason = wanted === true ? unstorableReason(data) : undefined;
  storable.errors = reason === undefined ? [] : [{ keyword: 'storable', message: reason, params: {} }];
  return reason === undefined;
};

const plainText: ReportingValidator = (wanted, data) => {
  const problem = wanted === true && typeof data === 'string' ? textProblem(data) : undefined;
  plainText.errors = problem === undefined ? [] : [{ keyword: 'plainText', message: problem, params: {} }];
  return problem === undefined;
};

/** Ajv keyword definitions of the rules (`ajv.addKeyword(each)`). */
export const JSON_KEYWORDS = [
  { keyword: 'maxDepth', schemaType: 'number', errors: true, validate: maxDepth },
  { keyword: 'storable', schemaType: 'boolean', errors: true, validate: storable },
  { keyword: 'plainText', schemaType: 'boolean', errors: true, validate: plainText },
] as const;
