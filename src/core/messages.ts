/**
 * Messages (API.md "Additions", Messages): a thread per work item and an inbox per agent. Who
 * may post and read where, as pure rules; the use cases read the facts (the item's team, the
 * agents' teams) and the store keeps the rows.
 */
import { ForbiddenError, ValidationError } from './errors';
import type { Actor } from './model';
import type { Page, PageRequest } from './ports';
import { type Principal, Role } from './roles';

/** Largest message body, in UTF-8 bytes. */
export const MAX_MESSAGE_BODY_BYTES = 8 * 1024;

/** Most agents one message mentions. */
export const MAX_MENTIONS = 20;

/** A stored message. `team` is the thread's team (the item's) or the addressed agent's. */
export interface Message {
  readonly id: string;
  readonly at: string;
  readonly from: Actor;
  readonly body: string;
  readonly mentions: readonly string[];
  readonly team: string;
  /** Set on a work item's thread. */
  readonly workId?: string;
  /** Set on a direct message: the agent whose inbox it was sent to. */
  readonly to?: string;
}

/** Where a message row goes: the item's thread, or an agent's inbox. */
export type MessagePlace = { readonly workId: string } | { readonly inbox: string };

/** Reads of messages and the inbox read markers. */
export interface MessageStore {
  /** A work item's thread, oldest first. */
  thread(workId: string, page: PageRequest): Promise<Page<Message>>;
  /** An agent's inbox (direct messages and mentions), oldest first; with `after`, only newer ones. */
  inbox(agentId: string, page: PageRequest & { readonly after?: string }): Promise<Page<Message>>;
  /** The id of the newest message the agent marked read. */
  readMarker(agentId: string): Promise<string | undefined>;
  /**
   * Moves the agent's read marker up to `upTo` (one conditional write; it never moves back).
   * @returns the marker in force afterwards
   */
  markRead(agentId: string, upTo: string): Promise<string>;
}

/** Bytes of `text` in UTF-8. */
const utf8Bytes = (text: string): number => new TextEncoder().encode(text).length;

/**
 * A body the service keeps: at most {@link MAX_MESSAGE_BODY_BYTES} bytes (the schema already
 * refused control characters and lone surrogates).
 * @throws ValidationError on `/body`
 */
export const assertBodySize = (body: string): void => {
  const bytes = utf8Bytes(body);
  if (bytes > MAX_MESSAGE_BODY_BYTES) {
    throw new ValidationError([
      { path: '/body', message: `must be at most ${MAX_MESSAGE_BODY_BYTES} bytes of UTF-8 (got ${bytes})` },
    ]);
  }
};

/** What deciding a post or a read needs besides the principal. */
export interface TeamFacts {
  /** The team the message is in (the item's, or the addressed agent's). */
  readonly team: string;
  /** For an agent principal: its own team (`undefined` when the agent is gone). */
  readonly agentTeam?: string;
}

/**
 * Whether `principal` may post in `team`: admins anywhere; members in their team (every team
 * without one); agents in their own team only.
 * @throws ForbiddenError otherwise
 */
export const assertMayPost = (principal: Principal, facts: TeamFacts): void => {
  if (principal.role === Role.Admin) return;
  if (principal.role === Role.Member && (principal.team === undefined || principal.team === facts.team))
    return;
  if (principal.role === Role.Agent && facts.agentTeam !== undefined && facts.agentTeam === facts.team)
    return;
  throw new ForbiddenError(`This token may not post messages in team ${facts.team}.`, { team: facts.team });
};

/**
 * Whether `principal` may read a thread of `team`: agents only in their own team; every other role
 * the route admits (admins, viewers, members) reads any thread, as they read any item.
 * @throws ForbiddenError for an agent of another team
 */
export const assertMayReadThread = (principal: Principal, facts: TeamFacts): void => {
  if (principal.role !== Role.Agent || facts.agentTeam === facts.team) return;
  throw new ForbiddenError(`Agents read the threads of their own team only, not of ${facts.team}.`, {
    team: facts.team,
  });
};

/**
 * The agents a message is delivered to besides its thread: the addressed agent, then every
 * mentioned one, each once.
 */
export const recipientsOf = (message: Pick<Message, 'to' | 'mentions'>): string[] => [
  ...new Set([...(message.to === undefined ? [] : [message.to]), ...message.mentions]),
];

/** Mentions as given, each once, in the order first named. */
export const distinctMentions = (mentions: readonly string[] | undefined): string[] => [
  ...new Set(mentions ?? []),
];

/**
 * Mentioned agents all exist and are of the message's team.
 * @param found the team of each mentioned agent that exists
 * @throws ValidationError on `/mentions/<index>` for each one that does not, or is of another team
 */
export const assertMentions = (
  mentions: readonly string[],
  found: ReadonlyMap<string, string>,
  team: string,
): void => {
  const problems = mentions.flatMap((agentId, index) => {
    const agentTeam = found.get(agentId);
    if (agentTeam === undefined) return [{ path: `/mentions/${index}`, message: `no agent ${agentId}` }];
    if (agentTeam !== team) {
      return [{ path: `/mentions/${index}`, message: `agent ${agentId} is not in team ${team}` }];
    }
    return [];
  });
  if (problems.length > 0) throw new ValidationError(problems);
};
