import { auditEvent, changedFields } from '#core/audit';
import { Action } from '#core/events';
import { EntityType, type JsonObject } from '#core/model';
import type { Ports, StoredSettings } from '#core/ports';
import type { Settings } from '#core/settings';
import { deepMerge, effectiveSettings, type SettingsPatch } from '#core/settings-rules';
import type { RequestContext } from '../context';
import type { ConfigBody } from '../schemas/admin';
import type { SettingsView } from '../schemas/views';
import type { SettingsDeps } from '../settings';
import { changeContextOf } from './shared/context';
import { decideAndCommit } from './shared/optimistic';

/** The audit entity id of the runtime settings (there is one). */
export const SETTINGS_ENTITY_ID = 'settings';

/**
 * `PUT /v1/config` (admin): merge a partial body deeply into the stored settings.
 * 1. read the stored overrides; 2. merge the body into them and check the result over the
 * defaults (400 naming each field out of range); 3. store the overrides with the next version
 * (conditional on the one read) and a `config.updated` event of what changed; decide again
 * when another update won.
 * @throws ValidationError
 */
export const updateConfig = async (
  deps: Pick<Ports, 'clock' | 'ids' | 'uow'> & SettingsDeps,
  ctx: RequestContext,
  body: ConfigBody,
): Promise<SettingsView> => {
  const cctx = changeContextOf(deps, ctx);
  return decideAndCommit<StoredSettings | undefined, Settings>(
    deps.uow,
    await deps.settings.get(),
    (stored) => {
      const previous = effectiveSettings(deps.defaults, stored?.settings as SettingsPatch | undefined);
      const overrides = deepMerge(stored?.settings ?? {}, body as Record<string, unknown>);
      const next = effectiveSettings(deps.defaults, overrides);
      const version = (stored?.version ?? 0) + 1;
      const event = auditEvent(cctx, {
        action: Action.ConfigUpdated,
        entityType: EntityType.Config,
        entityId: SETTINGS_ENTITY_ID,
        seq: version,
        ...changedFields(previous as unknown as JsonObject, next as unknown as JsonObject),
      });
      return {
        change: {
          writes: [
            { kind: 'settings', settings: overrides, version, expectedVersion: stored?.version ?? null },
          ],
          events: [event],
        },
        result: next,
      };
    },
    async (conflict) => {
      const failed = conflict.failed.find((f) => f.kind === 'settings');
      return failed && 'current' in failed && failed.current ? failed.current : deps.settings.get();
    },
  );
};
