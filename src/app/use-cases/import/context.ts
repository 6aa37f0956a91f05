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
}
