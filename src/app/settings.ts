import type { Ports } from '#core/ports';
import type { Settings } from '#core/settings';
import { effectiveSettings, type SettingsPatch } from '#core/settings-rules';

/** What reading the effective settings needs: the stored overrides and the deployment defaults. */
export type SettingsDeps = Pick<Ports, 'settings'> & {
  /** Settings from deployment config (`loadConfig`); stored settings override them field by field. */
  readonly defaults: Settings;
};

/**
 * The settings in force: those stored with `PUT /v1/config` merged deeply over the defaults.
 * @throws ValidationError when the stored settings hold a value out of range.
 */
export const currentSettings = async (deps: SettingsDeps): Promise<Settings> => {
  const stored = await deps.settings.get();
  return effectiveSettings(deps.defaults, stored?.settings as SettingsPatch | undefined);
};
