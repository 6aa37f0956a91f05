/**
 * The outcome of an import, per record kind: planned, created, unchanged, conflicts, rejected
 * (by this importer or by the service) and skipped with reasons. Pure; the command prints it.
 */
import type { ImportBatch } from './batch';
import { IMPORT_KINDS, type ImportKind, type ImportReply, toImportKind } from './import-records';
import type { ImportPlan, NotImported, Planned } from './plan';
import type { FileDamage, LegacyContent } from './read';

/** Counts of one kind. */
export interface KindTotals {
  planned: number;
  created: number;
  unchanged: number;
  conflicts: number;
  rejected: number;
  skipped: number;
}

/** A record the service refused to overwrite. */
export interface ImportConflict {
  readonly kind: ImportKind;
  readonly id: string;
  readonly reason: string;
}

/** Everything an import run did or would do. */
export interface ImportSummary {
  readonly dryRun: boolean;
  readonly totals: Record<ImportKind, KindTotals>;
  readonly conflicts: ImportConflict[];
  readonly rejected: NotImported[];
  readonly skipped: readonly NotImported[];
  readonly damage: readonly FileDamage[];
  readonly historyDamage: readonly FileDamage[];
  /** Mapping notes (defaults used, values changed), per record. */
  readonly notes: readonly {
    readonly kind: ImportKind;
    readonly id: string;
    readonly notes: readonly string[];
  }[];
  readonly calls: { total: number; sent: number };
  /** Why the run stopped before sending every call (the import is idempotent: run it again). */
  aborted?: string;
}

/** Records rejected for one same reason are listed one by one up to this many (all with --verbose). */
const MAX_LISTED_PER_REASON = 5;

const zero = (): KindTotals => ({
  planned: 0,
  created: 0,
  unchanged: 0,
  conflicts: 0,
  rejected: 0,
  skipped: 0,
});

/** A summary before anything is sent. */
export const startSummary = (
  plan: ImportPlan,
  content: LegacyContent,
  calls: { batches: readonly ImportBatch[]; oversized: readonly NotImported[] },
  dryRun: boolean,
): ImportSummary => {
  const totals = { agents: zero(), work: zero(), events: zero() };
  for (const kind of IMPORT_KINDS) {
    totals[kind].planned = calls.batches.reduce((sum, batch) => sum + batch.entries[kind].length, 0);
  }
  const rejected = [...plan.rejected, ...calls.oversized];
  for (const entry of rejected) totals[entry.kind].rejected += 1;
  for (const entry of plan.skipped) totals[entry.kind].skipped += 1;
  const notes = IMPORT_KINDS.flatMap((kind) =>
    (plan[kind] as readonly Planned<unknown>[])
      .filter((planned) => planned.notes.length > 0)
      .map((planned) => ({ kind, id: planned.id, notes: planned.notes })),
  );
  return {
    dryRun,
    totals,
    conflicts: [],
    rejected,
    skipped: plan.skipped,
    damage: content.damage,
    historyDamage: content.historyDamage,
    notes,
    calls: { total: calls.batches.length, sent: 0 },
  };
};

/** Adds one call's reply. */
export const addReply = (summary: ImportSummary, batch: ImportBatch, reply: ImportReply): void => {
  for (const kind of IMPORT_KINDS) {
    summary.totals[kind].created += reply.created?.[kind] ?? 0;
    summary.totals[kind].unchanged += reply.unchanged?.[kind] ?? 0;
  }
  for (const conflict of reply.conflicts ?? []) {
    const kind = toImportKind(conflict.kind) ?? 'work';
    summary.totals[kind].conflicts += 1;
    summary.conflicts.push({ kind, id: conflict.id, reason: conflict.reason });
  }
  for (const refusal of reply.rejected ?? []) {
    const kind = toImportKind(refusal.kind) ?? 'work';
    const planned = batch.entries[kind][refusal.index];
    summary.totals[kind].rejected += 1;
    summary.rejected.push({
      kind,
      ...((refusal.id ?? planned?.id) ? { id: refusal.id ?? planned?.id } : {}),
      ...(planned?.source ? { source: planned.source } : {}),
      reason: 'rejected by the service',
      detail: refusal.reason,
    });
  }
};

/** Marks records of a call as rejected (the call was refused, or these records were named in its refusal). */
export const rejectRecords = (
  summary: ImportSummary,
  records: readonly { kind: ImportKind; planned: Planned<unknown> }[],
  detail: string,
): void => {
  for (const { kind, planned } of records) {
    summary.totals[kind].rejected += 1;
    summary.rejected.push({
      kind,
      id: planned.id,
      ...(planned.source ? { source: planned.source } : {}),
      reason: 'rejected by the service',
      detail,
    });
  }
};

/** True when nothing went wrong that the user must look at. */
export const exitStatusOf = (summary: ImportSummary): 'ok' | 'error' | 'conflict' => {
  if (summary.aborted !== undefined || summary.rejected.length > 0) return 'error';
  return summary.conflicts.length > 0 ? 'conflict' : 'ok';
};

const where = (entry: NotImported): string =>
  entry.source
    ? `${entry.source.file} record ${entry.source.index} (byte ${entry.source.byte})`
    : (entry.id ?? '-');

/** Damage of a file, as one line. */
export const damageLine = (damage: FileDamage): string =>
  `${damage.file}: byte ${damage.byte} (line ${damage.line}, column ${damage.column}), record ${damage.recordIndex}: ${damage.message}` +
  ` [skipped bytes ${damage.skippedBytes.from}..${damage.skippedBytes.to}]`;

const grouped = (entries: readonly NotImported[]): [string, number][] => {
  const counts = new Map<string, number>();
  for (const entry of entries) {
    const key = `${entry.kind}\u0000${entry.reason}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()];
};

/** The summary as lines of text; `verbose` lists every skipped record and every mapping note. */
export const summaryLines = (
  summary: ImportSummary,
  verbose: boolean,
  layout: (rows: string[][]) => string[],
) => {
  const lines: string[] = [];
  const dash = (value: number) => (summary.dryRun ? '-' : String(value));
  lines.push(
    ...layout([
      [
        'KIND',
        summary.dryRun ? 'TO SEND' : 'SENT',
        'CREATED',
        'UNCHANGED',
        'CONFLICTS',
        'REJECTED',
        'SKIPPED',
      ],
      ...IMPORT_KINDS.map((kind) => {
        const totals = summary.totals[kind];
        return [
          kind,
          String(totals.planned),
          dash(totals.created),
          dash(totals.unchanged),
          dash(totals.conflicts),
          String(totals.rejected),
          String(totals.skipped),
        ];
      }),
    ]),
  );
  if (summary.skipped.length > 0) {
    lines.push('', 'Skipped (not sent), by reason:');
    for (const [key, count] of grouped(summary.skipped)) {
      const [kind, reason] = key.split('\u0000');
      lines.push(`  ${kind}: ${count} x ${reason}`);
    }
    if (verbose) {
      for (const entry of summary.skipped) {
        lines.push(`    ${where(entry)}: ${entry.reason}${entry.detail ? ` (${entry.detail})` : ''}`);
      }
    }
  }
  if (summary.rejected.length > 0) {
    lines.push('', 'Rejected:');
    const explained = (entry: NotImported) => `${entry.reason}${entry.detail ? ` (${entry.detail})` : ''}`;
    const groups = new Map<string, NotImported[]>();
    for (const entry of summary.rejected)
      groups.set(explained(entry), [...(groups.get(explained(entry)) ?? []), entry]);
    for (const [explanation, entries] of groups) {
      // One refused call rejects all its records for the same reason: say it once.
      if (entries.length > MAX_LISTED_PER_REASON && !verbose) {
        lines.push(`  ${entries.length} records: ${explanation} (--verbose lists them)`);
        continue;
      }
      for (const entry of entries) lines.push(`  ${entry.kind} ${where(entry)}: ${explanation}`);
    }
  }
  if (summary.conflicts.length > 0) {
    lines.push('', 'Conflicts (exist with other content; not overwritten):');
    for (const conflict of summary.conflicts)
      lines.push(`  ${conflict.kind} ${conflict.id}: ${conflict.reason}`);
  }
  if (summary.damage.length > 0) {
    lines.push('', 'Salvaged around damage (whole records kept, these byte ranges skipped):');
    for (const damage of summary.damage) lines.push(`  ${damageLine(damage)}`);
  }
  if (summary.historyDamage.length > 0) {
    lines.push('', 'Telemetry objects that do not parse (skipped):');
    for (const damage of summary.historyDamage) lines.push(`  ${damageLine(damage)}`);
  }
  if (summary.notes.length > 0) {
    lines.push(
      '',
      `${summary.notes.length} records mapped with adjustments${verbose ? ':' : ' (--verbose lists them)'}`,
    );
    if (verbose) {
      for (const entry of summary.notes) lines.push(`  ${entry.kind} ${entry.id}: ${entry.notes.join('; ')}`);
    }
  }
  if (summary.aborted !== undefined) {
    lines.push('', `STOPPED after ${summary.calls.sent} of ${summary.calls.total} calls: ${summary.aborted}`);
    lines.push('The import is idempotent (ids are kept): run it again to finish.');
  }
  return lines;
};
