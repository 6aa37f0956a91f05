import { assertWorksIn } from '#core/authz';
import { failedDependencies } from '#core/escalations/decisions';
import { EscalationKind } from '#core/escalations/escalation';
import type { WorkItem } from '#core/model';
import type { Ports } from '#core/ports';
import { Role } from '#core/roles';
import { iso } from '#core/time';
import { createWorkItem } from '#core/work/create';
import type { RequestContext } from '../context';
import { presentWork } from '../presenters';
import type { WorkView } from '../schemas/views';
import type { CreateWorkBody } from '../schemas/work';
import { currentSettings, type SettingsDeps } from '../settings';
import { workContextOf } from './shared/context';
import { requestEscalations } from './shared/escalations';
import { conflictsOn, decideAndCommit } from './shared/optimistic';

type CreateDeps = Pick<Ports, 'clock' | 'ids' | 'work' | 'teams' | 'uow' | 'escalationPublisher'> &
  SettingsDeps;

/** A created item, or the item that already had the id asked for. */
export interface CreatedWork {
  readonly item: WorkView;
  /** Whether this call created it (false: the id was taken, nothing changed). */
  readonly created: boolean;
}

/**
 * `POST /v1/work`: create an item (blocked while a dependency is not completed).
 * 1. record the team; 2. read the named dependencies; 3. decide the item, linking it into each
 * dependency's `dependents` (conditional on the dependency's version); 4. commit; when a
 * dependency changed meanwhile, read them again and decide again, so a dependency completing
 * at the same moment is seen; when the new id is taken, draw another; 5. when it waits on a
 * failed or cancelled dependency, ask its `dependency_failed` escalation at once.
 * @throws UnknownDependencyError listing `dependsOn` ids that name no item.
 * @throws ForbiddenError when a team-limited agent creates work in another team.
 */
export const createWork = async (
  deps: CreateDeps,
  ctx: RequestContext,
  body: CreateWorkBody,
): Promise<WorkView> => (await create(deps, ctx, body, undefined)).item;

/**
 * Creates an item under an id the caller chose (an integration's item of an outside record), as
 * {@link createWork} does; when an item with that id exists, it is answered unchanged, so a
 * repeated or concurrent request creates one item.
 * @throws UnknownDependencyError, ForbiddenError as {@link createWork}.
 */
export const createWorkWithId = (
  deps: CreateDeps,
  ctx: RequestContext,
  body: CreateWorkBody,
  id: string,
): Promise<CreatedWork> => create(deps, ctx, body, id);

const create = async (
  deps: CreateDeps,
  ctx: RequestContext,
  body: CreateWorkBody,
  chosenId: string | undefined,
): Promise<CreatedWork> => {
  const { principal } = ctx;
  if (principal.role === Role.Agent) assertWorksIn(principal.team, body.team, principal.id);
  const settings = await currentSettings(deps);
  const wctx = workContextOf(deps, ctx, settings);
  const existing = chosenId === undefined ? undefined : await deps.work.get(chosenId);
  if (existing) return { item: presentWork(existing, wctx.now, settings), created: false };
  await deps.teams.ensure(body.team);
  const dependsOn = [...new Set(body.dependsOn ?? [])];
  const readDependencies = () =>
    dependsOn.length === 0 ? Promise.resolve([]) : deps.work.getMany(dependsOn);
  type State = {
    readonly id: string;
    readonly dependencies: readonly WorkItem[];
    /** The item that took the chosen id meanwhile. */
    readonly taken?: WorkItem;
  };
  type Outcome = { item: WorkItem; dependencies: readonly WorkItem[]; created: boolean };
  const created = await decideAndCommit<State, Outcome>(
    deps.uow,
    { id: chosenId ?? deps.ids.workId(), dependencies: await readDependencies() },
    (state) => {
      if (state.taken) return { result: { item: state.taken, dependencies: [], created: false } };
      const decision = createWorkItem({ ...body, id: state.id, dependsOn }, state.dependencies, wctx);
      return {
        change: decision.change,
        result: { item: decision.item, dependencies: state.dependencies, created: true },
      };
    },
    async (conflict, state) => {
      const isTaken = conflictsOn(conflict, ['work'], state.id);
      if (isTaken && chosenId !== undefined) {
        const taken = await deps.work.get(chosenId);
        if (taken) return { ...state, taken };
      }
      return {
        id: isTaken && chosenId === undefined ? deps.ids.workId() : state.id,
        dependencies: await readDependencies(),
      };
    },
  );
  const { item } = created;
  const deadEnds = created.created ? failedDependencies(item, created.dependencies) : [];
  if (deadEnds.length > 0) {
    await requestEscalations(deps, [
      {
        workId: item.id,
        kind: EscalationKind.DependencyFailed,
        at: iso(wctx.now),
        details: { cause: 'created', dependencies: deadEnds.map((d) => d.id) },
        requestId: ctx.requestId,
      },
    ]);
  }
  return { item: presentWork(item, wctx.now, settings), created: created.created };
};
