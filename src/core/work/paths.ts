/**
 * The files a work item declares it will touch (`paths`): globs relative to the repository root,
 * checked for overlap without listing any file. A glob covers what it matches and everything
 * below it (`src/core` covers `src/core/x.ts`), so two items overlap when some path could be
 * covered by a glob of each. The check is exact for the syntax allowed here (`*`, `?`, `**` and
 * literal characters), so it never misses an overlap and never reports one that no path has.
 */
import { type FieldError, ValidationError } from '../errors';

/** Most globs one item may declare. */
export const MAX_PATHS = 50;
/** Longest glob, in characters. */
export const MAX_PATH_LENGTH = 256;

/** A whole segment that matches any number of segments, none included. */
const ANY_SEGMENTS = '**';
/** Characters of richer glob dialects that this check does not model, so they are refused rather than guessed. */
const UNSUPPORTED = /[[\]{}\\!]/;

/** Why one glob is refused, or `undefined` when it is acceptable. */
const globProblem = (glob: string): string | undefined => {
  if (glob.length === 0 || glob.length > MAX_PATH_LENGTH) return `must be 1..${MAX_PATH_LENGTH} characters`;
  if (glob.startsWith('/') || /^[A-Za-z]:/.test(glob))
    return 'must be relative to the repository root, not absolute';
  if (UNSUPPORTED.test(glob)) return 'may use only *, ? and ** as wildcards (no [], {}, ! or backslashes)';
  const segments = glob.replace(/\/$/, '').split('/');
  if (segments.some((segment) => segment === '')) return 'must not contain empty segments (//)';
  if (segments.some((segment) => segment === '.' || segment === '..'))
    return 'must not contain . or .. segments';
  return undefined;
};

/** One glob in its stored form: a trailing `/` becomes `/**`, runs of `**` collapse to one. */
const normalizeGlob = (glob: string): string => {
  const segments = (glob.endsWith('/') ? `${glob}${ANY_SEGMENTS}` : glob).split('/');
  return segments
    .filter((segment, index) => !(segment === ANY_SEGMENTS && segments[index - 1] === ANY_SEGMENTS))
    .join('/');
};

/**
 * Every refused glob of a declared list, by its index, and the list itself when too long.
 * @param pointer JSON pointer of the list in the request.
 */
export const pathsErrors = (globs: readonly string[], pointer = '/paths'): FieldError[] => {
  const errors: FieldError[] = globs.flatMap((glob, index) => {
    const problem = globProblem(glob);
    return problem === undefined ? [] : [{ path: `${pointer}/${index}`, message: problem }];
  });
  if (globs.length > MAX_PATHS) errors.push({ path: pointer, message: `at most ${MAX_PATHS} paths` });
  return errors;
};

/**
 * The declared globs in stored form, duplicates dropped, in the caller's order.
 * @param pointer JSON pointer of the list in the request, for the errors.
 * @throws ValidationError naming each refused glob by its index.
 */
export const normalizePaths = (globs: readonly string[], pointer = '/paths'): string[] => {
  const errors = pathsErrors(globs, pointer);
  if (errors.length > 0) throw new ValidationError(errors, 'The paths are not valid.');
  return [...new Set(globs.map(normalizeGlob))];
};

/**
 * Whether the two token sequences have a common word, by reachability in their product
 * automaton. `isAny(t)` tokens match any run of units (none included), `compatible` says whether
 * one unit can be matched by a token of each.
 */
const sequencesIntersect = <T>(
  left: readonly T[],
  right: readonly T[],
  isAny: (token: T) => boolean,
  compatible: (a: T, b: T) => boolean,
): boolean => {
  const seen = new Set<number>();
  const width = right.length + 1;
  const stack: [number, number][] = [[0, 0]];
  while (stack.length > 0) {
    const [i, j] = stack.pop() as [number, number];
    if (seen.has(i * width + j)) continue;
    seen.add(i * width + j);
    if (i === left.length && j === right.length) return true;
    const a = left[i];
    const b = right[j];
    // An "any run" token may match nothing and be skipped.
    if (a !== undefined && isAny(a)) stack.push([i + 1, j]);
    if (b !== undefined && isAny(b)) stack.push([i, j + 1]);
    // One unit consumed by both sides: an "any run" stays put, any other token advances.
    if (a !== undefined && b !== undefined && compatible(a, b))
      stack.push([isAny(a) ? i : i + 1, isAny(b) ? j : j + 1]);
  }
  return false;
};

const isStar = (token: string): boolean => token === '*';

/** Whether some character matches both tokens (`?` any one, else that literal). */
const sameCharacter = (a: string, b: string): boolean =>
  a === '*' || b === '*' || a === '?' || b === '?' || a === b;

/** Whether one segment name could match both segment patterns (`*` any run, `?` any one character). */
export const segmentsIntersect = (left: string, right: string): boolean =>
  sequencesIntersect([...left], [...right], isStar, sameCharacter);

/** Whether some path could be matched by both globs (in stored form), as whole paths. */
export const globsIntersect = (left: string, right: string): boolean =>
  sequencesIntersect(
    left.split('/'),
    right.split('/'),
    (segment) => segment === ANY_SEGMENTS,
    (a, b) => a === ANY_SEGMENTS || b === ANY_SEGMENTS || segmentsIntersect(a, b),
  );

/** Whether the two globs overlap: some path is covered by both (each also covers what lies below it). */
export const globsOverlap = (left: string, right: string): boolean =>
  globsIntersect(`${left}/${ANY_SEGMENTS}`, `${right}/${ANY_SEGMENTS}`);

/** The first pair of overlapping globs, `[one of mine, one of theirs]`, or `undefined`. */
export const overlappingPair = (
  mine: readonly string[],
  theirs: readonly string[],
): [string, string] | undefined => {
  for (const left of mine) {
    const right = theirs.find((other) => globsOverlap(left, other));
    if (right !== undefined) return [left, right];
  }
  return undefined;
};
