import type { RequestContext } from '../context';
import type { SettingsView } from '../schemas/views';
import { currentSettings, type SettingsDeps } from '../settings';

/**
 * `GET /v1/config`: the whole runtime configuration, in the shape `PUT` takes
 * (stored settings merged over the deployment defaults).
 */
export const getConfig = async (deps: SettingsDeps, _ctx: RequestContext): Promise<SettingsView> =>
  currentSettings(deps);
