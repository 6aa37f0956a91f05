import type { Ports } from '#core/ports';
import type { RequestContext } from '../context';
import { presentWork } from '../presenters';
import type { WorkView } from '../schemas/views';
import { currentSettings, type SettingsDeps } from '../settings';
import { requireWork } from './shared/lookups';

/**
 * `GET /v1/work/{id}`: the item as readers see it (urgency now, never a claim token).
 * 1. read the item (404 when missing); 2. present it under the current settings.
 * @throws NotFoundError when there is no such item.
 */
export const getWork = async (
  deps: Pick<Ports, 'work' | 'clock'> & SettingsDeps,
  _ctx: RequestContext,
  input: { id: string },
): Promise<WorkView> => {
  const [item, settings] = await Promise.all([requireWork(deps, input.id), currentSettings(deps)]);
  return presentWork(item, deps.clock.now(), settings);
};
