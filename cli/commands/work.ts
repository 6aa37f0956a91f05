/**
 * Work commands. `claim`, `progress` and `complete` keep the legacy script's positional
 * arguments and output lines (`SUCCESS: Claimed work item <id> ...`); ids are now the
 * service's (`wi_…`), so scripts that grep for `work_[0-9]*` should use `-q` or `--json`.
 */
import { randomUUID } from 'node:crypto';
import type { AgentViewSchema, ClaimView, WorkView } from '#app/schemas/views';
import { PRIORITIES, WORK_STATUSES, WorkStatus } from '#core/work/status';
import { requireTeam } from '../args';
import { ApiError } from '../client';
import {
  type AgentSession,
  atMost,
  type Command,
  type CommandContext,
  integerIn,
  listOption,
  PAGE_OPTIONS,
  positional,
  readerClient,
  readPages,
  stringOption,
  writerClient,
} from '../command';
import { workDetails, workTable } from '../format';
import { CommandFailure, ExitCode, say, sayJson, UsageError, warn } from '../io';
import { LEGACY_DEFAULT_TEAM, LEGACY_FAILED } from '../legacy/fields';
import { codePointLength, printable, refusedCharacter, truncate } from '../text';
import { agentPath, asHolder, claimById, saveClaim, workPath } from './holder';

const LEGACY_DEFAULT_PRIORITY = 'medium';
const LEGACY_IN_PROGRESS = 'in_progress';
const LEGACY_SUCCESS = 'success';
/** Statuses of the legacy files, accepted by `list-work` and mapped as the importer maps them. */
const LEGACY_STATUS_NAMES: Readonly<Record<string, string>> = {
  active: WorkStatus.Claimed,
  pending: WorkStatus.Ready,
};

const requirePriority = (raw: string | undefined): string => {
  const priority = raw ?? LEGACY_DEFAULT_PRIORITY;
  if (!(PRIORITIES as readonly string[]).includes(priority)) {
    throw new UsageError(`priority must be one of ${PRIORITIES.join(', ')}, got '${priority}'`);
  }
  return priority;
};

/** The API's limits, in code points. */
const MAX_TITLE = 200;
const MAX_TYPE = 64;
const MAX_DESCRIPTION = 10_000;

/** A text argument the API would accept. @throws UsageError naming what is wrong */
export const requireText = (raw: string, what: string, max: number): string => {
  const refused = refusedCharacter(raw);
  if (refused) throw new UsageError(`${what} holds ${refused}`);
  const length = codePointLength(raw);
  if (length > max) throw new UsageError(`${what} is ${length} characters long; at most ${max}`);
  return raw;
};

const createBody = async (context: CommandContext) => {
  const rawType = positional(context, 0);
  const rawDescription = positional(context, 1);
  if (!rawType || !rawDescription) throw new UsageError('a work type and a description are required');
  const type = requireText(rawType, 'the work type', MAX_TYPE);
  const description = requireText(rawDescription, 'the description', MAX_DESCRIPTION);
  const config = await context.config();
  // The title is the first line (tabs become spaces), cut between characters to the API's limit.
  const firstLine = description.split('\n')[0]?.replaceAll('\t', ' ').trim() ?? '';
  const title = truncate(firstLine || type.replaceAll('\t', ' ').trim() || type, MAX_TITLE);
  return {
    type,
    title,
    ...(title === description ? {} : { description }),
    priority: requirePriority(positional(context, 2)),
    team: requireTeam(positional(context, 3) ?? config.team ?? LEGACY_DEFAULT_TEAM),
  };
};

const printClaim = (context: CommandContext, session: AgentSession, reply: ClaimView): void => {
  if (context.json) {
    sayJson(context.io, reply);
    return;
  }
  if (context.quiet) {
    say(context.io, reply.item.id);
    return;
  }
  say(context.io, `Agent ${session.agentId} claiming work: ${reply.item.id}`);
  say(context.io, `SUCCESS: Claimed work item ${reply.item.id} for team ${reply.item.team}`);
  say(context.io, `Lease expires at ${reply.claim.leaseExpiresAt}; claim token saved on this machine`);
};

/** The API takes Idempotency-Key headers of 1..128 characters; header values must be visible ASCII. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;

/** `--idempotency-key`, checked as the API checks it, or a fresh one. @throws UsageError */
const idempotencyKey = (context: CommandContext): string => {
  const raw = context.values['idempotency-key'];
  if (typeof raw !== 'string') return randomUUID();
  if (!IDEMPOTENCY_KEY.test(raw)) {
    throw new UsageError(
      `--idempotency-key must be 1 to 128 visible ASCII characters (no spaces), got ${raw.length} character(s)`,
    );
  }
  return raw;
};

/** Ids the service issues (`wi_…`) and the legacy script's (`work_<digits>`). */
const WORK_ID = /^(wi_[A-Za-z0-9]+|work_\d+)$/;
const NOT_FOUND = 404;
const FORBIDDEN = 403;

/**
 * Refuses before anything is created when the agent cannot take one more claim (at capacity,
 * retiring or retired). Best effort: when the agent cannot be read, the claim call decides.
 * @throws CommandFailure (exit 3)
 */
const checkCanClaim = async (session: AgentSession): Promise<void> => {
  let agent: AgentViewSchema;
  try {
    agent = (await session.client.request<AgentViewSchema>('GET', agentPath(session.agentId))).body;
  } catch (error) {
    if (error instanceof ApiError && (error.status === NOT_FOUND || error.status === FORBIDDEN)) return;
    throw error;
  }
  if (agent.status === 'retiring' || agent.status === 'retired') {
    throw new CommandFailure(
      `agent ${agent.id} is ${agent.status} and takes no new work: nothing was created`,
      ExitCode.Conflict,
      { code: 'agent_retiring', agentId: agent.id, status: agent.status },
    );
  }
  if (agent.activeClaims >= agent.capacity) {
    throw new CommandFailure(
      `agent ${agent.id} already holds ${agent.activeClaims} of its ${agent.capacity} claim(s): nothing was created`,
      ExitCode.Conflict,
      {
        code: 'capacity_exceeded',
        agentId: agent.id,
        activeClaims: agent.activeClaims,
        capacity: agent.capacity,
      },
    );
  }
};

/** Cancels an item this run created but could not claim, so no stray item is left behind. */
const cancelUnclaimed = async (context: CommandContext, session: AgentSession, item: WorkView) => {
  try {
    await session.client.request('POST', workPath(item.id, 'cancel'), {
      body: { reason: `coord claim could not claim it for ${session.agentId}` },
    });
    warn(
      context.io,
      `CANCELLED: work item ${item.id} was created but could not be claimed, so it was cancelled`,
    );
  } catch {
    warn(context.io, `CREATED: work item ${item.id} exists but is not claimed`);
  }
};

const claim: Command = {
  name: 'claim',
  aliases: ['claim-fast', 'claim-slow'],
  group: 'work',
  usage: '<work_type> <description> [priority=medium] [team]  |  <work_id>',
  summary:
    'Create an item and claim it in one call (one Idempotency-Key), or claim an existing item by id; prints the id',
  options: { 'idempotency-key': { type: 'string' } },
  async run(context) {
    atMost(context, 4);
    const first = positional(context, 0);
    if (first && WORK_ID.test(first) && context.positionals.length > 1) {
      throw new UsageError(
        `'${first}' is a work id: \`coord claim ${first}\` claims it and takes no other argument ` +
          '(a work type and a description create a new item)',
      );
    }
    const key = idempotencyKey(context);
    const session = await context.agent();
    if (context.positionals.length === 1) {
      printClaim(context, session, await claimById(context, session, positional(context, 0) as string, key));
      return ExitCode.Ok;
    }
    const body = await createBody(context);
    await checkCanClaim(session);
    const { body: item } = await session.client.request<WorkView>('POST', '/v1/work', {
      body: body,
      idempotencyKey: key,
    });
    let reply: ClaimView;
    try {
      reply = await claimById(context, session, item.id, key);
    } catch (error) {
      // A refusal (4xx) means the item is not ours: cancel it. After an outage the claim may
      // have happened, so the item is only named.
      if (error instanceof ApiError && error.status < 500) await cancelUnclaimed(context, session, item);
      else warn(context.io, `CREATED: work item ${item.id} exists but may not be claimed`);
      throw error;
    }
    printClaim(context, session, reply);
    return ExitCode.Ok;
  },
};

const claimNextBody = (context: CommandContext, agentId: string) => {
  const teams = listOption(context, 'team');
  const types = listOption(context, 'type');
  return { agentId, ...(teams ? { teams } : {}), ...(types ? { types } : {}) };
};

/** Claims the most urgent item the agent may take; prints it, or says there is none. */
export const claimNextAndPrint = async (
  context: CommandContext,
  body: { agentId: string; teams?: string[]; types?: string[] },
): Promise<ExitCode> => {
  const session = await context.agent();
  const reply = await session.client.request<ClaimView | undefined>('POST', '/v1/work/claim-next', { body });
  if (reply.status === 204 || reply.body === undefined) {
    if (context.json) sayJson(context.io, { item: null });
    else if (!context.quiet) say(context.io, 'NO WORK: nothing this agent may claim right now');
    return ExitCode.Ok;
  }
  await saveClaim(context, session, reply.body);
  printClaim(context, session, reply.body);
  return ExitCode.Ok;
};

const claimNext: Command = {
  name: 'claim-next',
  group: 'work',
  usage: '[--team a,b] [--type x,y]',
  summary: 'Claim the most urgent item this agent may take (exit 0 with NO WORK when there is none)',
  options: { team: { type: 'string' }, type: { type: 'string' } },
  async run(context) {
    atMost(context, 0);
    const session = await context.agent();
    return claimNextAndPrint(context, claimNextBody(context, session.agentId));
  },
};

const create: Command = {
  name: 'create',
  aliases: ['submit'],
  group: 'work',
  usage: '<work_type> <description> [priority=medium] [team]',
  summary: 'Create a work item without claiming it',
  options: { 'depends-on': { type: 'string' }, deadline: { type: 'string' } },
  async run(context) {
    atMost(context, 4);
    const dependsOn = listOption(context, 'depends-on');
    const deadline = stringOption(context, 'deadline');
    const body = {
      ...(await createBody(context)),
      ...(dependsOn ? { dependsOn } : {}),
      ...(deadline ? { deadline } : {}),
    };
    const client = await writerClient(context);
    const { body: item } = await client.request<WorkView>('POST', '/v1/work', { body });
    if (context.json) sayJson(context.io, item);
    else if (context.quiet) say(context.io, item.id);
    else say(context.io, `CREATED: work item ${item.id} (${item.status}) for team ${item.team}`);
    return ExitCode.Ok;
  },
};

/** The work id argument, defaulting to `CURRENT_WORK_ITEM` like the legacy script. */
const workIdArgument = (context: CommandContext, index: number): string => {
  const id = positional(context, index) ?? context.io.env.CURRENT_WORK_ITEM;
  if (!id) throw new UsageError('no work item id given (and CURRENT_WORK_ITEM is not set)');
  return id;
};

const progress: Command = {
  name: 'progress',
  group: 'work',
  usage: '<work_id> <percent> [status=in_progress]',
  summary: 'Report progress 0..100 (a status other than in_progress is sent as the note); renews the lease',
  async run(context) {
    atMost(context, 3);
    // `progress 50` with CURRENT_WORK_ITEM set, as a sourced legacy script would call it.
    const current = context.io.env.CURRENT_WORK_ITEM;
    const args =
      context.positionals.length === 1 && current ? [current, ...context.positionals] : context.positionals;
    const id = args[0] || current;
    if (!id) throw new UsageError('no work item id given (and CURRENT_WORK_ITEM is not set)');
    const rawPercent = args[1];
    if (rawPercent === undefined || rawPercent === '')
      throw new UsageError('a progress percentage is required');
    const percent = Number(rawPercent);
    if (!Number.isFinite(percent) || percent < 0 || percent > 100) {
      throw new UsageError(`progress must be a number from 0 to 100, got '${rawPercent}'`);
    }
    const status = args[2] || LEGACY_IN_PROGRESS;
    const session = await context.agent();
    const item = await asHolder<WorkView>(
      context,
      session,
      id,
      'progress',
      { progress: percent, ...(status === LEGACY_IN_PROGRESS ? {} : { note: status }) },
      false,
    );
    if (context.json) sayJson(context.io, item);
    else if (!context.quiet)
      say(context.io, `PROGRESS: Updated ${printable(id)} to ${percent}% (${printable(status)})`);
    return ExitCode.Ok;
  },
};

const failItem = async (context: CommandContext, id: string, reason: string, retryable: boolean) => {
  const session = await context.agent();
  const item = await asHolder<WorkView>(context, session, id, 'fail', { reason, retryable }, true);
  if (context.json) sayJson(context.io, item);
  else if (!context.quiet)
    say(context.io, `FAILED: ${printable(id)} (${printable(reason)}) - status now ${item.status}`);
  return ExitCode.Ok;
};

const complete: Command = {
  name: 'complete',
  group: 'work',
  usage: '<work_id> [result=success] [velocity_points]',
  summary: "Complete a claimed item; result 'failed' reports a (retryable) failure instead",
  async run(context) {
    atMost(context, 3);
    const id = workIdArgument(context, 0);
    const result = positional(context, 1) ?? LEGACY_SUCCESS;
    const rawPoints = positional(context, 2);
    const points = rawPoints === undefined ? undefined : integerIn(rawPoints, 'velocity points', 0, 1000);
    if (result === LEGACY_FAILED) return failItem(context, id, LEGACY_FAILED, true);
    const session = await context.agent();
    const body = points === undefined ? { result } : { result: { result, velocityPoints: points } };
    const item = await asHolder<WorkView>(context, session, id, 'complete', body, true);
    if (context.json) sayJson(context.io, item);
    else if (!context.quiet) {
      const velocity = points === undefined ? '' : ` - ${points} velocity points`;
      say(context.io, `COMPLETED: Released claim for ${printable(id)} (${printable(result)})${velocity}`);
    }
    return ExitCode.Ok;
  },
};

const fail: Command = {
  name: 'fail',
  group: 'work',
  usage: '<work_id> <reason> [--no-retry]',
  summary: 'Report a failure; the item is retried until its attempts run out, unless --no-retry',
  options: { 'no-retry': { type: 'boolean' } },
  async run(context) {
    const id = workIdArgument(context, 0);
    const reason = context.positionals.slice(1).join(' ').trim();
    if (!reason) throw new UsageError('a reason is required');
    return failItem(context, id, reason, context.values['no-retry'] !== true);
  },
};

const release: Command = {
  name: 'release',
  group: 'work',
  usage: '<work_id>',
  summary: 'Give a claimed item back (it becomes ready for others)',
  async run(context) {
    atMost(context, 1);
    const id = workIdArgument(context, 0);
    const session = await context.agent();
    const item = await asHolder<WorkView>(context, session, id, 'release', {}, true);
    if (context.json) sayJson(context.io, item);
    else if (!context.quiet) say(context.io, `RELEASED: ${id} is ${item.status} again`);
    return ExitCode.Ok;
  },
};

const statusFilter = (raw: string | undefined): string | undefined => {
  if (raw === undefined) return undefined;
  const status = LEGACY_STATUS_NAMES[raw] ?? raw;
  if (!(WORK_STATUSES as readonly string[]).includes(status)) {
    throw new UsageError(`status must be one of ${WORK_STATUSES.join(', ')} (or legacy active, pending)`);
  }
  return status;
};

/** Lists work with the given filters; follows cursors with `--all`. */
const listWork = async (context: CommandContext, filters: { status?: string; team?: string }) => {
  const page = await readPages<WorkView>(context, await readerClient(context), '/v1/work', {
    ...filters,
    agentId: stringOption(context, 'agent'),
  });
  if (context.json) sayJson(context.io, page);
  else {
    for (const line of workTable(page.items)) say(context.io, line);
    if (page.nextCursor) warn(context.io, `more items: --cursor ${page.nextCursor} (or --all)`);
  }
  return ExitCode.Ok;
};

const LIST_OPTIONS = { team: { type: 'string' }, agent: { type: 'string' }, ...PAGE_OPTIONS } as const;

const listWorkCommand: Command = {
  name: 'list-work',
  group: 'work',
  usage: '[status] [--team t] [--agent id] [--limit n] [--cursor c] [--all]',
  summary: 'List work items (status: a service status, or legacy active/pending)',
  options: LIST_OPTIONS,
  async run(context) {
    atMost(context, 1);
    return listWork(context, {
      ...(statusFilter(positional(context, 0)) ? { status: statusFilter(positional(context, 0)) } : {}),
      ...(stringOption(context, 'team') ? { team: stringOption(context, 'team') } : {}),
    });
  },
};

const listWorkFast: Command = {
  name: 'list-work-fast',
  group: 'legacy',
  usage: '[team]',
  summary: 'swarmsh: claimed items, optionally of one team (there is one claim path now)',
  options: LIST_OPTIONS,
  async run(context) {
    atMost(context, 1);
    const team = positional(context, 0) ?? stringOption(context, 'team');
    return listWork(context, { status: WorkStatus.Claimed, ...(team ? { team } : {}) });
  },
};

const show: Command = {
  name: 'show',
  aliases: ['work'],
  group: 'work',
  usage: '<work_id>',
  summary: 'Show one work item',
  async run(context) {
    atMost(context, 1);
    const id = workIdArgument(context, 0);
    const client = await readerClient(context);
    const { body } = await client.request<WorkView>('GET', workPath(id));
    if (context.json) sayJson(context.io, body);
    else for (const line of workDetails(body)) say(context.io, line);
    return ExitCode.Ok;
  },
};

/** Work commands. */
export const WORK_COMMANDS: readonly Command[] = [
  claim,
  claimNext,
  create,
  progress,
  complete,
  fail,
  release,
  listWorkCommand,
  listWorkFast,
  show,
];
