/**
 * Advice about an item against the items in flight in its team: declared paths that overlap, and
 * titles that nearly repeat one (two agents likely doing the same work). Flags inform a reader
 * (recommendations, the dashboard); they never change what a claim does, which is the paths
 * policy's job (`paths-policy.ts`).
 */
import type { WorkItem } from '../model';
import { overlappingPair } from './paths';
import { isHeld } from './status';

/** Titles at least this similar (shared words over all words) count as near duplicates. */
export const SIMILAR_TITLE_THRESHOLD = 0.6;
/** Most flags listed for one item. */
export const MAX_FLAGS = 10;

/** Words too common in titles to say two items do the same thing. */
const STOP_WORDS = new Set([
  'a',
  'an',
  'and',
  'the',
  'of',
  'to',
  'in',
  'on',
  'for',
  'with',
  'from',
  'by',
  'at',
]);

/** Why an item was flagged against one item in flight. */
export type InFlightFlag =
  | {
      readonly kind: 'paths_overlap';
      readonly workId: string;
      readonly agentId: string;
      /** `[a glob of the flagged item, the glob of the item in flight it overlaps]`. */
      readonly paths: readonly [string, string];
    }
  | {
      readonly kind: 'similar_title';
      readonly workId: string;
      readonly agentId: string;
      /** 0..1, shared words over all words of both titles. */
      readonly similarity: number;
    };

/** The distinct words of a title: lower case, letters and digits only, common words dropped. */
export const titleWords = (title: string): Set<string> =>
  new Set(
    title
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter((word) => word.length > 0 && !STOP_WORDS.has(word)),
  );

/** How alike two titles are: shared words over all words (Jaccard), 0 when either has none. */
export const titleSimilarity = (left: string, right: string): number => {
  const a = titleWords(left);
  const b = titleWords(right);
  const shared = [...a].filter((word) => b.has(word)).length;
  const all = a.size + b.size - shared;
  return all === 0 ? 0 : shared / all;
};

/**
 * What `item` has against each other item in flight (claimed or in progress) of its team: an
 * overlap of declared paths (unless `exceptAgentId` holds it: an agent does not overwrite its own
 * work) and a near-duplicate title, at most `MAX_FLAGS`.
 */
export const inFlightFlags = (
  item: WorkItem,
  work: readonly WorkItem[],
  exceptAgentId?: string,
): InFlightFlag[] =>
  work
    .flatMap((other): InFlightFlag[] => {
      const holder = other.claim?.agentId;
      if (holder === undefined || !isHeld(other.status) || other.id === item.id || other.team !== item.team)
        return [];
      const pair =
        holder === exceptAgentId ? undefined : overlappingPair(item.paths ?? [], other.paths ?? []);
      const similarity = titleSimilarity(item.title, other.title);
      return [
        ...(pair ? [{ kind: 'paths_overlap' as const, workId: other.id, agentId: holder, paths: pair }] : []),
        ...(similarity >= SIMILAR_TITLE_THRESHOLD
          ? [
              {
                kind: 'similar_title' as const,
                workId: other.id,
                agentId: holder,
                similarity: Math.round(similarity * 100) / 100,
              },
            ]
          : []),
      ];
    })
    .slice(0, MAX_FLAGS);
