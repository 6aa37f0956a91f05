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
  deps: Pick<Ports, 'clock' | 'ids' | 'work' | 'teams' | 'uow' | 'escalationPublisher'> & SettingsDeps,
  ctx: RequestContext,
  body: CreateWorkBody,
): Promise<WorkView> => {
  const { principal } = ctx;
  if (principal.role === Role.Agent) assertWorksIn(principal.team, body.team, principal.id);
  const settings = await currentSettings(deps);
  await deps.teams.ensure(body.team);
  const dependsOn = [...new Set(body.dependsOn ?? [])];
  const readDependencies = () =>
    dependsOn.length === 0 ? Promise.resolve([]) : deps.work.getMany(dependsOn);
  const wctx = workContextOf(deps, ctx, settings);
  type State = { readonly id: string; readonly dependencies: readonly WorkItem[] };
  const created = await decideAndCommit<State, { item: WorkItem; dependencies: readonly WorkItem[] }>(
    deps.uow,
    { id: deps.ids.workId(), dependencies: await readDependencies() },
    (state) => {
      const decision = createWorkItem({ ...body, id: state.id, dependsOn }, state.dependencies, wctx);
      return { change: decision.change, result: { item: decision.item, dependencies: state.dependencies } };
    },
    async (conflict, state) => ({
      id: conflictsOn(conflict, ['work'], state.id) ? deps.ids.workId() : state.id,
      dependencies: await readDependencies(),
    }),
  );
  const { item } = created;
  const deadEnds = failedDependencies(item, created.dependencies);
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
  return presentWork(item, wctx.now, settings);
};
