import type { ImportDecision } from '#core/import/outcome';
import { IMPORT_KINDS, type ImportKind } from '#core/import/records';
import type { ImportResult } from '../../schemas/import';

type Counts = Record<ImportKind, number>;

const zero = (): Counts => ({ agents: 0, work: 0, events: 0 });

interface Listed {
  readonly kind: ImportKind;
  readonly index: number;
  readonly id?: string;
  readonly reason: string;
}

const byPosition = (a: Listed, b: Listed): number =>
  IMPORT_KINDS.indexOf(a.kind) - IMPORT_KINDS.indexOf(b.kind) || a.index - b.index;

/** What one import call did, record by record, gathered into the reply. */
export class ImportTally {
  private readonly created = zero();
  private readonly unchanged = zero();
  private readonly conflicts: Listed[] = [];
  private readonly rejected: Listed[] = [];

  /** Counts one record's decision (after its change, if any, was committed). */
  add(kind: ImportKind, index: number, id: string, decision: ImportDecision): void {
    switch (decision.outcome) {
      case 'created':
        this.created[kind] += 1;
        return;
      case 'unchanged':
        this.unchanged[kind] += 1;
        return;
      case 'conflict':
        this.conflicts.push({ kind, index, id, reason: decision.reason });
        return;
      case 'rejected':
        this.reject(kind, index, id, decision.reason);
        return;
    }
  }

  /** Lists a record that changes nothing because it cannot be imported as it is. */
  reject(kind: ImportKind, index: number, id: string | undefined, reason: string): void {
    this.rejected.push({ kind, index, ...(id === undefined ? {} : { id }), reason });
  }

  /** The reply, conflicts and rejections in body order. */
  reply(): ImportResult {
    return {
      created: { ...this.created },
      unchanged: { ...this.unchanged },
      conflicts: [...this.conflicts]
        .sort(byPosition)
        .map(({ kind, id, reason }) => ({ kind, id: id ?? '', reason })),
      rejected: [...this.rejected].sort(byPosition).map(({ kind, index, id, reason }) => ({
        kind,
        index,
        ...(id === undefined ? {} : { id }),
        reason,
      })),
    };
  }
}
