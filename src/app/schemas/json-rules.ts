/**
 * Rules for free-form JSON fields (metadata, results, details), stated in the schemas as two
 * keywords so the OpenAPI document shows them: `maxDepth` (how deeply objects and arrays may
 * nest; the store refuses items nested past 32 levels) and `storable` (no empty object keys, and
 * numbers the store can hold). Ajv learns them from `JSON_KEYWORDS`.
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

/** Why the store could not keep this JSON value (with the pointer inside it), or undefined. */
export const unstorableReason = (value: unknown): string | undefined => {
  const pending: [unknown, string][] = [[value, '']];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [current, pointer] = next;
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
      pending.push([child, `${pointer}/${escapePointer(key)}`]);
    }
  }
  return undefined;
};

/** The options a free-form field's schema carries: both keywords and a description saying so. */
export const freeFormRules = (description = 'Free-form JSON') => ({
  maxDepth: MAX_JSON_DEPTH,
  storable: true,
  description: `${description}: nested at most ${MAX_JSON_DEPTH} levels deep, no empty keys, numbers of at most 1e125 in magnitude.`,
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

/** Ajv keyword definitions of both rules (`ajv.addKeyword(each)`). */
export const JSON_KEYWORDS = [
  { keyword: 'maxDepth', schemaType: 'number', errors: true, validate: maxDepth },
  { keyword: 'storable', schemaType: 'boolean', errors: true, validate: storable },
] as const;
