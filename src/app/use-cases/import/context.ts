import type { Ports } from '#core/ports';
import type { WorkContext } from '#core/work/write';
import type { SettingsDeps } from '../../settings';
import type { RecordChecks } from './checked';
import type { ImportTally } from './tally';

/** Ports an import uses, the settings in force, and the per-record schema checks. */
export type ImportDeps = Pick<
  Ports,
  'clock' | 'ids' | 'hasher' | 'work' | 'agents' | 'teams' | 'audit' | 'uow'
> &
  SettingsDeps & { readonly checks: RecordChecks };

/** What every record of one call shares: ports, one time and actor for all its changes, and the tally. */
export interface ImportRun {
  readonly deps: ImportDeps;
  readonly wctx: WorkContext;
  readonly tally: ImportTally;
  /** Records a team once per call (every record of a team would otherwise write the one registry row). */
  readonly ensureTeam: (team: string) => Promise<void>;
}

/** The shared state of one import call. */
export const startImportRun = (deps: ImportDeps, wctx: WorkContext, tally: ImportTally): ImportRun => {
  const ensured = new Map<string, Promise<void>>();
  const ensureTeam = (team: string): Promise<void> => {
    let pending = ensured.get(team);
    if (pending === undefined) {
      pending = deps.teams.ensure(team).catch((error: unknown) => {
        // Not kept: a later record of the team tries again.
        ensured.delete(team);
        throw error;
      });
      ensured.set(team, pending);
    }
    return pending;
  };
  return { deps, wctx, tally, ensureTeam };
};
