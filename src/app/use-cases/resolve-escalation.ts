import { NotFoundError } from '#core/errors';
import { EntityType } from '#core/model';
import type { Ports } from '#core/ports';
import type { RequestContext } from '../context';
import { presentEscalation } from '../presenters';
import type { EscalationView, ResolveEscalationBody } from '../schemas/escalations';
import { changeContextOf } from './shared/context';
import { resolveStored } from './shared/escalations';

/**
 * `POST /v1/escalations/{id}/resolve` (admin): the escalation, now `resolved`, by the caller,
 * with the note.
 * 1. read it (404); 2. an escalation resolved already is answered unchanged; 3. commit
 * `resolved` with an `escalation.resolved` audit event, deciding again on a lost race.
 * The work item is never changed.
 * @throws NotFoundError when there is no such escalation.
 */
export const resolveEscalation = async (
  deps: Pick<Ports, 'clock' | 'ids' | 'escalations' | 'uow'>,
  ctx: RequestContext,
  input: ResolveEscalationBody & { id: string },
): Promise<EscalationView> => {
  const stored = await deps.escalations.get(input.id);
  if (!stored) throw new NotFoundError(EntityType.Escalation, input.id);
  const resolved = await resolveStored(deps, changeContextOf(deps, ctx), stored, input.note);
  if (!resolved) throw new NotFoundError(EntityType.Escalation, input.id);
  return presentEscalation(resolved);
};
