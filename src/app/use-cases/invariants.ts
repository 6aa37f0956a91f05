/**
 * Invariants you can see: the sweeper checks a bounded page of each invariant per pass and keeps
 * the results (`GET /v1/invariants`); an admin repairs what a check found
 * (`POST /v1/invariants/{name}/repair`), each repair a conditional, audited change.
 */
import type { ChangeContext } from '#core/audit';
import { NotFoundError } from '#core/errors';
import { resolveEscalation } from '#core/escalations/decisions';
import { type Escalation, EscalationStatus } from '#core/escalations/escalation';
import {
  claimsViolation,
  escalationViolation,
  heldItemViolation,
  INVARIANT_DESCRIPTIONS,
  INVARIANT_NAMES,
  type InvariantName,
  type InvariantRound,
  type InvariantState,
  type InvariantStates,
  type InvariantStore,
  MAX_EXAMPLES,
  readyItemViolation,
  repairAgentClaims,
  repairReadyItem,
  repairUnclaimedHeldItem,
  silentAgentViolation,
  type Violation,
} from '#core/invariants';
import type { Agent, WorkItem } from '#core/model';
import { type Change, type Page, type Ports, WriteConflict } from '#core/ports';
import type { Settings } from '#core/settings';
import { iso } from '#core/time';
import { expireLease } from '#core/work/holder-actions';
import { isHeld, WorkStatus } from '#core/work/status';
import { markAgentOffline } from '#core/work/sweep';
import type { RequestContext } from '../context';
import { currentSettings, type SettingsDeps } from '../settings';
import { changeContextOf } from './shared/context';
import { systemContext } from './shared/escalations';

/** The ports the checks and repairs use. */
export type InvariantDeps = Pick<Ports, 'clock' | 'ids' | 'work' | 'agents' | 'escalations' | 'uow'> &
  SettingsDeps & { readonly invariants: InvariantStore };

/** How many records each check reads per pass. */
export const INVARIANT_PAGE = 25;

/** One page of one check: the violations found, how many records were looked at, where to go on. */
interface PageCheck {
  readonly checked: number;
  readonly violations: readonly Violation[];
  readonly cursors: Record<string, string>;
}

const cursorOf = (cursor: string | undefined) => (cursor === undefined ? {} : { cursor });
const withCursor = (key: string, page: Page<unknown>): Record<string, string> =>
  page.nextCursor === undefined ? {} : { [key]: page.nextCursor };

/** The items each agent of `agents` holds, counted from the holder index. */
const heldCounts = async (
  deps: Pick<Ports, 'work'>,
  agents: readonly Agent[],
): Promise<Map<string, number>> => {
  const counts = await Promise.all(
    agents.map(async (agent) => {
      const page = await deps.work.list({
        agentId: agent.id,
        limit: Math.max(agent.capacity, agent.activeClaims) + 1,
      });
      return [
        agent.id,
        page.items.filter((item) => isHeld(item.status) && item.claim?.agentId === agent.id).length,
      ] as const;
    }),
  );
  return new Map(counts);
};

const dependenciesOf = async (deps: Pick<Ports, 'work'>, items: readonly WorkItem[]): Promise<WorkItem[]> => {
  const ids = [
    ...new Set(items.filter((item) => item.status === WorkStatus.Ready).flatMap((item) => item.dependsOn)),
  ];
  return ids.length === 0 ? [] : deps.work.getMany(ids);
};

/** One page of each check, from `cursors`. */
const CHECKS: Readonly<
  Record<
    InvariantName,
    (
      deps: InvariantDeps,
      cursors: Readonly<Record<string, string>>,
      now: Date,
      settings: Settings,
    ) => Promise<PageCheck>
  >
> = {
  held_items_leased: async (deps, cursors, now) => {
    const pages = await Promise.all(
      [WorkStatus.Claimed, WorkStatus.InProgress].map(async (status) => ({
        status,
        page: await deps.work.list({ status, limit: INVARIANT_PAGE, ...cursorOf(cursors[status]) }),
      })),
    );
    const items = pages.flatMap(({ page }) => page.items);
    return {
      checked: items.length,
      violations: items.flatMap((item) => heldItemViolation(item, now) ?? []),
      cursors: Object.assign({}, ...pages.map(({ status, page }) => withCursor(status, page))),
    };
  },
  agent_claims_match: async (deps, cursors) => {
    const page = await deps.agents.list({ limit: INVARIANT_PAGE, ...cursorOf(cursors.agents) });
    const held = await heldCounts(deps, page.items);
    return {
      checked: page.items.length,
      violations: page.items.flatMap((agent) => claimsViolation(agent, held.get(agent.id) ?? 0) ?? []),
      cursors: withCursor('agents', page),
    };
  },
  ready_items_unblocked: async (deps, cursors) => {
    const page = await deps.work.list({
      status: WorkStatus.Ready,
      limit: INVARIANT_PAGE,
      ...cursorOf(cursors.ready),
    });
    const dependencies = await dependenciesOf(deps, page.items);
    return {
      checked: page.items.length,
      violations: page.items.flatMap((item) => readyItemViolation(item, dependencies) ?? []),
      cursors: withCursor('ready', page),
    };
  },
  escalations_on_open_items: async (deps, cursors) => {
    const page = await deps.escalations.list({
      status: EscalationStatus.Open,
      limit: INVARIANT_PAGE,
      ...cursorOf(cursors.open),
    });
    const items = await itemsOf(deps, page.items);
    return {
      checked: page.items.length,
      violations: page.items.flatMap(
        (escalation) => escalationViolation(escalation, items.get(escalation.workId)) ?? [],
      ),
      cursors: withCursor('open', page),
    };
  },
  silent_agents_announced: async (deps, cursors, now, settings) => {
    const page = await deps.agents.list({ limit: INVARIANT_PAGE, ...cursorOf(cursors.agents) });
    return {
      checked: page.items.length,
      violations: page.items.flatMap((agent) => silentAgentViolation(agent, now, settings) ?? []),
      cursors: withCursor('agents', page),
    };
  },
};

const itemsOf = async (deps: Pick<Ports, 'work'>, escalations: readonly Escalation[]) => {
  const ids = [...new Set(escalations.map((escalation) => escalation.workId))];
  const items = ids.length === 0 ? [] : await deps.work.getMany(ids);
  return new Map(items.map((item) => [item.id, item]));
};

/** The round `page` continues (or starts), and whether it ended with it. */
const advanceRound = (state: InvariantState | undefined, page: PageCheck, now: string): InvariantState => {
  const current = state?.current ?? {
    startedAt: now,
    checkedAt: now,
    checked: 0,
    violations: 0,
    examples: [],
  };
  const round: InvariantRound = {
    startedAt: current.startedAt,
    checkedAt: now,
    checked: current.checked + page.checked,
    violations: current.violations + page.violations.length,
    examples: [...current.examples, ...page.violations].slice(0, MAX_EXAMPLES),
  };
  const ended = Object.keys(page.cursors).length === 0;
  return {
    ...(state?.lastRepair === undefined ? {} : { lastRepair: state.lastRepair }),
    cursors: page.cursors,
    ...(ended
      ? { last: round }
      : { current: round, ...(state?.last === undefined ? {} : { last: state.last }) }),
  };
};

/** Violations per invariant found by one pass (for the metric). */
export type InvariantCounts = Record<InvariantName, number>;

/**
 * One pass of every check (the sweeper's last step): a page of each, the round's results kept.
 * Returns the violations this pass found per invariant.
 */
export const checkInvariants = async (deps: InvariantDeps): Promise<InvariantCounts> => {
  const settings = await currentSettings(deps);
  const now = deps.clock.now();
  const states = (await deps.invariants.get()) ?? {};
  const next: InvariantStates = { ...states };
  const counts = {} as InvariantCounts;
  for (const name of INVARIANT_NAMES) {
    const page = await CHECKS[name](deps, states[name]?.cursors ?? {}, now, settings);
    next[name] = advanceRound(states[name], page, iso(now));
    counts[name] = page.violations.length;
  }
  await deps.invariants.put(next);
  return counts;
};

/** One invariant as `GET /v1/invariants` shows it. */
export interface InvariantView {
  readonly name: InvariantName;
  /** No violation in the last whole round nor in the round under way (false until first checked). */
  readonly ok: boolean;
  /** When the check last looked at a page; absent until the first check. */
  readonly checkedAt?: string;
  /** Violations of the round the examples come from: the round under way when it found any, else the last whole round. */
  readonly violations: number;
  /** Up to 20 records that break it, with why. */
  readonly examples: readonly Violation[];
  readonly description: string;
  /** `ok` when the last whole round found nothing and the round under way has found nothing yet. */
  readonly status: 'ok' | 'violated' | 'unchecked';
  readonly lastRound?: InvariantRound;
  readonly currentRound?: InvariantRound;
  readonly lastRepair?: InvariantState['lastRepair'];
}

/** `GET /v1/invariants`: each check with its last results. */
export const listInvariants = async (
  deps: Pick<InvariantDeps, 'invariants'>,
): Promise<{ items: InvariantView[] }> => {
  const states = (await deps.invariants.get()) ?? {};
  return {
    items: INVARIANT_NAMES.map((name) => {
      const state = states[name];
      const rounds = [state?.last, state?.current].filter((round) => round !== undefined);
      const status =
        rounds.length === 0 ? 'unchecked' : rounds.some((round) => round.violations > 0) ? 'violated' : 'ok';
      const shown =
        state?.current && state.current.violations > 0 ? state.current : (state?.last ?? state?.current);
      const checkedAt = state?.current?.checkedAt ?? state?.last?.checkedAt;
      return {
        name,
        ok: status === 'ok',
        ...(checkedAt === undefined ? {} : { checkedAt }),
        violations: shown?.violations ?? 0,
        examples: shown?.examples ?? [],
        description: INVARIANT_DESCRIPTIONS[name],
        status,
        ...(state?.last === undefined ? {} : { lastRound: state.last }),
        ...(state?.current === undefined ? {} : { currentRound: state.current }),
        ...(state?.lastRepair === undefined ? {} : { lastRepair: state.lastRepair }),
      };
    }),
  };
};

/** What a repair did. */
export interface RepairResult {
  readonly name: InvariantName;
  /** Records changed by the repair (each with an audit event). */
  readonly repaired: number;
  /** Violations found again right after (a record changed meanwhile, or beyond one page). */
  readonly remaining: readonly Violation[];
}

/** Commits `change`; a lost race (the record changed since it was read) is not an error here. */
const tryCommit = async (deps: Pick<Ports, 'uow'>, change: Change | undefined): Promise<boolean> => {
  if (!change) return false;
  try {
    await deps.uow.commit(change);
    return true;
  } catch (error) {
    if (error instanceof WriteConflict) return false;
    throw error;
  }
};

/** Repairs of one invariant's violations, each read again first. */
const REPAIRS: Readonly<
  Record<
    InvariantName,
    (deps: InvariantDeps, ids: readonly string[], ctx: ChangeContext, settings: Settings) => Promise<number>
  >
> = {
  held_items_leased: async (deps, ids, ctx, settings) => {
    let repaired = 0;
    for (const item of await deps.work.getMany(ids)) {
      if (!heldItemViolation(item, ctx.now)) continue;
      const change = item.claim
        ? expireLease(item, { ...ctx, settings })?.change
        : repairUnclaimedHeldItem(item, ctx)?.change;
      if (await tryCommit(deps, change)) repaired += 1;
    }
    return repaired;
  },
  agent_claims_match: async (deps, ids, ctx) => {
    let repaired = 0;
    for (const id of ids) {
      const agent = await deps.agents.get(id);
      if (!agent) continue;
      const held = (await heldCounts(deps, [agent])).get(agent.id) ?? 0;
      if (await tryCommit(deps, repairAgentClaims(agent, held, ctx)?.change)) repaired += 1;
    }
    return repaired;
  },
  ready_items_unblocked: async (deps, ids, ctx) => {
    let repaired = 0;
    const items = await deps.work.getMany(ids);
    const dependencies = await dependenciesOf(deps, items);
    for (const item of items) {
      if (await tryCommit(deps, repairReadyItem(item, dependencies, ctx)?.change)) repaired += 1;
    }
    return repaired;
  },
  escalations_on_open_items: async (deps, ids, ctx) => {
    let repaired = 0;
    for (const id of ids) {
      const escalation = await deps.escalations.get(id);
      if (!escalation) continue;
      const item = await deps.work.get(escalation.workId);
      const violation = escalationViolation(escalation, item);
      if (!violation) continue;
      const note = `Repaired: the work item is ${item?.status}.`;
      if (await tryCommit(deps, resolveEscalation(escalation, note, ctx)?.change)) repaired += 1;
    }
    return repaired;
  },
  silent_agents_announced: async (deps, ids, ctx, settings) => {
    let repaired = 0;
    for (const id of ids) {
      const agent = await deps.agents.get(id);
      if (!agent || !silentAgentViolation(agent, ctx.now, settings)) continue;
      if (await tryCommit(deps, markAgentOffline(agent, { ...ctx, settings })?.change)) repaired += 1;
    }
    return repaired;
  },
};

const isInvariantName = (name: string): name is InvariantName =>
  (INVARIANT_NAMES as readonly string[]).includes(name);

/**
 * `POST /v1/invariants/{name}/repair` (admin): the violations the last checks kept as examples,
 * and those of a fresh first page, are read again and repaired one by one (each conditional on
 * what was read, with its audit event); then the first page is checked again and the result kept.
 * @throws NotFoundError for a name that is no invariant.
 */
export const repairInvariant = async (
  deps: InvariantDeps,
  ctx: RequestContext | undefined,
  name: string,
): Promise<RepairResult> => {
  if (!isInvariantName(name)) throw new NotFoundError('invariant', name);
  const settings = await currentSettings(deps);
  const change = ctx === undefined ? systemContext(deps) : changeContextOf(deps, ctx);
  const states = (await deps.invariants.get()) ?? {};
  const state = states[name];
  const fresh = await CHECKS[name](deps, {}, change.now, settings);
  const known = [...(state?.last?.examples ?? []), ...(state?.current?.examples ?? []), ...fresh.violations];
  const ids = [...new Set(known.map((violation) => violation.entityId))];
  const repaired = await REPAIRS[name](deps, ids, change, settings);
  const after = await CHECKS[name](deps, {}, deps.clock.now(), settings);
  const at = iso(deps.clock.now());
  const round: InvariantRound = {
    startedAt: at,
    checkedAt: at,
    checked: after.checked,
    violations: after.violations.length,
    examples: after.violations.slice(0, MAX_EXAMPLES),
  };
  const latest = (await deps.invariants.get()) ?? {};
  await deps.invariants.put({
    ...latest,
    [name]: {
      cursors: after.cursors,
      ...(Object.keys(after.cursors).length === 0 ? { last: round } : { current: round }),
      lastRepair: { at, repaired, by: change.actor.id },
    },
  });
  return { name, repaired, remaining: round.examples };
};
