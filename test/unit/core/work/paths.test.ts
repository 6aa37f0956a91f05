import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '#core/errors';
import {
  globsOverlap,
  MAX_PATH_LENGTH,
  MAX_PATHS,
  normalizePaths,
  segmentsIntersect,
} from '#core/work/paths';

/** A reference matcher written independently of the checker: backtracking over segments, a regex per segment. */
const segmentRegex = (pattern: string): RegExp =>
  new RegExp(`^${[...pattern].map((c) => (c === '*' ? '[^/]*' : c === '?' ? '[^/]' : c)).join('')}$`);
const matches = (glob: readonly string[], path: readonly string[]): boolean => {
  const [head, ...rest] = glob;
  if (head === undefined) return path.length === 0;
  if (head === '**') return path.some((_, i) => matches(rest, path.slice(i))) || matches(rest, []);
  const [first, ...others] = path;
  return first !== undefined && segmentRegex(head).test(first) && matches(rest, others);
};
/** A glob covers a path when it matches the path or one of its ancestors. */
const covers = (glob: string, path: readonly string[]): boolean =>
  path.some((_, i) => matches(glob.split('/'), path.slice(0, i + 1)));

const segmentPattern = fc
  .array(fc.constantFrom('a', 'b', '*', '?'), { minLength: 1, maxLength: 2 })
  .map((tokens) => tokens.join(''));
const glob = fc
  .array(fc.oneof(segmentPattern, fc.constant('**')), { minLength: 1, maxLength: 2 })
  .map((segments) => segments.join('/'));
const names = ['a', 'b', 'aa', 'ab', 'ba', 'bb'];
/** Every path of up to four segments over `names`: enough to hold a witness for two globs of two short segments. */
const smallPaths: string[][] = [[]];
for (let depth = 0; depth < 4; depth += 1) {
  for (const prefix of smallPaths.filter((p) => p.length === depth)) {
    for (const name of names) smallPaths.push([...prefix, name]);
  }
}
const witnesses = smallPaths.filter((p) => p.length > 0);

describe('normalizePaths', () => {
  it('keeps relative globs, turns a trailing slash into the whole directory and drops duplicates', () => {
    expect(normalizePaths(['src/core/**/*.ts', 'docs/', 'README.md', 'README.md'])).toEqual([
      'src/core/**/*.ts',
      'docs/**',
      'README.md',
    ]);
  });

  it('collapses runs of ** into one', () => {
    expect(normalizePaths(['a/**/**/b'])).toEqual(['a/**/b']);
  });

  it.each([
    ['/etc/passwd', 'absolute'],
    ['C:/x', 'absolute'],
    ['a//b', 'empty segments'],
    ['a/../b', '. or ..'],
    ['./a', '. or ..'],
    ['src/[ab].ts', 'wildcards'],
    ['src/{a,b}.ts', 'wildcards'],
    ['a\\b', 'wildcards'],
    ['', '1..256'],
    ['x'.repeat(257), '1..256'],
  ])('refuses %j, naming it by its index', (bad, reason) => {
    const error = (() => {
      try {
        normalizePaths(['ok/path', bad]);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ValidationError);
    const errors = (error as ValidationError).details.errors as { path: string; message: string }[];
    expect(errors).toHaveLength(1);
    expect(errors[0]?.path).toBe('/paths/1');
    expect(errors[0]?.message).toContain(reason);
  });

  it(`refuses more than ${MAX_PATHS} globs`, () => {
    const many = Array.from({ length: MAX_PATHS + 1 }, (_, i) => `f${i}`);
    expect(() => normalizePaths(many)).toThrow(ValidationError);
  });

  it(`says why more than ${MAX_PATHS} globs are refused, and accepts exactly ${MAX_PATHS}`, () => {
    const many = Array.from({ length: MAX_PATHS + 1 }, (_, i) => `f${i}`);
    expect(() => normalizePaths(many, '/items/0/paths')).toThrow(
      expect.objectContaining({
        message: 'The paths are not valid.',
        details: { errors: [{ path: '/items/0/paths', message: `at most ${MAX_PATHS} paths` }] },
      }),
    );
    expect(normalizePaths(many.slice(0, MAX_PATHS))).toHaveLength(MAX_PATHS);
  });

  it(`accepts a glob of exactly ${MAX_PATH_LENGTH} characters`, () => {
    const longest = 'x'.repeat(MAX_PATH_LENGTH);
    expect(normalizePaths([longest])).toEqual([longest]);
  });

  it('accepts a colon after the first segment (only a drive letter at the start is absolute)', () => {
    expect(normalizePaths(['src/a:b.ts', 'docs/c:'])).toEqual(['src/a:b.ts', 'docs/c:']);
  });

  it.each([
    ['a/./', '. or ..'],
    ['a/../', '. or ..'],
    ['a//', 'empty segments'],
  ])('checks %j without its trailing slash', (bad, reason) => {
    expect(() => normalizePaths([bad])).toThrow(
      expect.objectContaining({
        details: { errors: [{ path: '/paths/0', message: expect.stringContaining(reason) }] },
      }),
    );
  });
});

describe('globsOverlap', () => {
  it.each([
    ['src/a.ts', 'src/a.ts'],
    ['src', 'src/core/x.ts'],
    ['src/**', 'src/a.ts'],
    ['**/*.ts', 'web/app.ts'],
    ['src/*.ts', 'src/a?.ts'],
    ['src/*/x.ts', 'src/core/*'],
    ['a*b', '*ab*'],
    ['**', 'anything/at/all'],
  ])('says %s and %s overlap', (left, right) => {
    expect(globsOverlap(left, right)).toBe(true);
    expect(globsOverlap(right, left)).toBe(true);
  });

  it.each([
    ['src/a.ts', 'src/b.ts'],
    ['src/**', 'web/**'],
    ['src/*.ts', 'src/*.md'],
    ['src/*/x.ts', 'src/a/y.ts'],
    ['a?', 'abc'],
    ['docs/*.md', 'docs/api/x.md'],
  ])('says %s and %s do not overlap', (left, right) => {
    expect(globsOverlap(left, right)).toBe(false);
  });

  it('finds every overlap a concrete path shows, and only those (exhaustive over small paths)', () => {
    fc.assert(
      fc.property(glob, glob, (left, right) => {
        const hasWitness = witnesses.some((path) => covers(left, path) && covers(right, path));
        expect(globsOverlap(left, right)).toBe(hasWitness);
      }),
      { numRuns: 300 },
    );
  });

  it('says two globs overlap whenever one path is covered by both', () => {
    const longerGlob = fc
      .array(fc.oneof(fc.stringMatching(/^[ab*?]{1,4}$/), fc.constant('**')), { minLength: 1, maxLength: 4 })
      .map((segments) => segments.join('/'));
    const path = fc.array(fc.stringMatching(/^[ab]{1,4}$/), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(longerGlob, longerGlob, path, (left, right, concrete) => {
        fc.pre(covers(left, concrete) && covers(right, concrete));
        expect(globsOverlap(left, right)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('segmentsIntersect', () => {
  it('matches * to any run and ? to one character', () => {
    expect(segmentsIntersect('a*', '*b')).toBe(true);
    expect(segmentsIntersect('a?', 'a')).toBe(false);
    expect(segmentsIntersect('??', '*a*')).toBe(true);
    expect(segmentsIntersect('ab', 'ba')).toBe(false);
  });
});
