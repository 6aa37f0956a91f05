/**
 * `coord import-legacy --dir <dir> [--dry-run] [--salvage]`: reads a legacy coordination
 * directory, maps it, and sends it to `POST /v1/import` in calls of at most 500 records and
 * 1 MiB. Records keep their ids, so running the import again is harmless: what exists with the
 * same content is `unchanged`. Every call's Idempotency-Key is the SHA-256 of the run's own
 * nonce and the body: the client's retries of a call get that call's answer, while a later run
 * (same bodies) gets a fresh one instead of a replay of the first run's `created`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { type ApiClient, ApiError } from '../client';
import { atMost, type Command, type CommandContext, integerIn, stringOption } from '../command';
import { CommandFailure, ExitCode, type Io, say, sayJson, table, UsageError, warn } from '../io';
import { type ImportBatch, toBatches } from '../legacy/batch';
import { LegacyDirError, loadLegacyDir } from '../legacy/files';
import { IMPORT_KINDS, type ImportKind, type ImportReply } from '../legacy/import-records';
import { mapLegacy } from '../legacy/map';
import { DEFAULT_FULL_CAPACITY_CLAIMS, type Planned } from '../legacy/plan';
import { isBlocked, readLegacyFiles } from '../legacy/read';
import {
  addReply,
  damageLine,
  exitStatusOf,
  type ImportSummary,
  rejectRecords,
  startSummary,
  summaryLines,
} from '../legacy/summary';

const IMPORT_PATH = '/v1/import';
/** Inputs above this many records get a progress bar (on a terminal). */
const PROGRESS_BAR_MIN_RECORDS = 1000;
const BAR_WIDTH = 30;
const VALIDATION_ERROR = 'validation_error';
const IDEMPOTENCY_CONFLICT = 'idempotency_conflict';
/** A replayed key whose first call is still running answers 409; wait a little, this many times. */
const IN_FLIGHT_RETRIES = 3;
const IN_FLIGHT_PAUSE_MS = 1000;
const CALL_REFUSALS: ReadonlySet<number> = new Set([404, 405, 413, 415]);
const RECORD_PATH = /^\/(agents|work|events)\/(\d+)(?:\/|$)/;

type BatchRecord = { kind: ImportKind; planned: Planned<unknown> };

const recordsOf = (batch: ImportBatch): BatchRecord[] =>
  IMPORT_KINDS.flatMap((kind) => batch.entries[kind].map((planned) => ({ kind, planned })));

/** The records a 400 `validation_error` names by JSON pointer (`/work/3/title`), or undefined if any is unnamed. */
const namedRecords = (batch: ImportBatch, error: ApiError): Map<BatchRecord, string> | undefined => {
  const errors = Array.isArray(error.details.errors)
    ? (error.details.errors as { path?: unknown; message?: unknown }[])
    : [];
  const named = new Map<BatchRecord, string>();
  const all = recordsOf(batch);
  for (const entry of errors) {
    const match = typeof entry.path === 'string' ? RECORD_PATH.exec(entry.path) : null;
    const planned = match ? batch.entries[match[1] as ImportKind][Number(match[2])] : undefined;
    if (!match || !planned) return undefined;
    const record = all.find((candidate) => candidate.planned === planned) as BatchRecord;
    named.set(record, `${entry.path}: ${String(entry.message)}`);
  }
  return named.size > 0 ? named : undefined;
};

class ProgressBar {
  private done = 0;

  constructor(
    private readonly io: Io,
    private readonly total: number,
    private readonly visible: boolean,
  ) {}

  advance(records: number): void {
    this.done += records;
    if (!this.visible) return;
    const filled = Math.round((this.done / this.total) * BAR_WIDTH);
    this.io.stderr.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${this.done}/${this.total} records`,
    );
  }

  finish(): void {
    if (this.visible) this.io.stderr.write('\n');
  }
}

/** The Idempotency-Key of one call of a run: the same for its retries, new for every run. */
const callKey = (runNonce: string, body: string): string =>
  createHash('sha256').update(`${runNonce}\n${body}`).digest('hex');

/** Sends one call; on a validation error naming records, rejects those and sends the rest again. */
const sendBatch = async (
  context: CommandContext,
  client: ApiClient,
  batch: ImportBatch,
  summary: ImportSummary,
  runNonce: string,
): Promise<void> => {
  let current = batch;
  for (let inFlight = 0; ; ) {
    try {
      const reply = await client.request<ImportReply>('POST', IMPORT_PATH, {
        rawBody: current.text,
        idempotencyKey: callKey(runNonce, current.text),
      });
      addReply(summary, current, reply.body);
      return;
    } catch (error) {
      if (!(error instanceof ApiError) || error.status >= 500) throw error;
      if (error.code === IDEMPOTENCY_CONFLICT && inFlight < IN_FLIGHT_RETRIES) {
        inFlight += 1;
        await context.io.sleep(IN_FLIGHT_PAUSE_MS);
        continue;
      }
      if (error.status === 401 || error.status === 403) throw error;
      // The call itself was refused (no import route, wrong media type, too large): every call would be.
      if (CALL_REFUSALS.has(error.status)) throw error;
      const named = error.code === VALIDATION_ERROR ? namedRecords(current, error) : undefined;
      if (named === undefined) {
        rejectRecords(summary, recordsOf(current), `call refused: ${error.code}: ${error.message}`);
        return;
      }
      for (const [record, detail] of named) rejectRecords(summary, [record], detail);
      const refused = new Set([...named.keys()].map((record) => record.planned));
      const rest = recordsOf(current).filter((record) => !refused.has(record.planned));
      const ofKind = (kind: ImportKind) => rest.filter((r) => r.kind === kind).map((r) => r.planned);
      const rebuilt = toBatches({ agents: ofKind('agents'), work: ofKind('work'), events: ofKind('events') })
        .batches[0];
      if (rebuilt === undefined) return;
      current = rebuilt;
    }
  }
};

const importLegacy: Command = {
  name: 'import-legacy',
  // Each call has its own per-run key and a rerun finishes an import stopped by an outage.
  outbox: false,
  group: 'import',
  usage: '--dir <dir> [--dry-run] [--salvage] [--full-capacity n] [--verbose]',
  summary:
    'Import a legacy coordination directory (default $COORDINATION_DIR) with its ids; admin token; safe to re-run',
  options: {
    dir: { type: 'string' },
    'dry-run': { type: 'boolean' },
    salvage: { type: 'boolean' },
    'full-capacity': { type: 'string' },
    verbose: { type: 'boolean' },
  },
  async run(context) {
    atMost(context, 0);
    const dir = stringOption(context, 'dir') ?? context.io.env.COORDINATION_DIR;
    if (!dir) throw new UsageError('--dir is required (or set COORDINATION_DIR)');
    const salvage = context.values.salvage === true;
    const dryRun = context.values['dry-run'] === true;
    const full = stringOption(context, 'full-capacity');
    const fullCapacityClaims =
      full === undefined ? DEFAULT_FULL_CAPACITY_CLAIMS : integerIn(full, '--full-capacity', 1, 100);

    let files: Awaited<ReturnType<typeof loadLegacyDir>>;
    try {
      files = await loadLegacyDir(dir);
    } catch (error) {
      if (error instanceof LegacyDirError) throw new CommandFailure(error.message);
      throw error;
    }
    const content = readLegacyFiles(files, { salvage });
    if (isBlocked(content)) {
      if (context.json) sayJson(context.io, { imported: false, damage: content.damage });
      warn(
        context.io,
        `ERROR: ${dir}: ${content.damage.length === 1 ? 'a file does' : 'files do'} not parse; nothing imported`,
      );
      for (const damage of content.damage) warn(context.io, `  ${damageLine(damage)}`);
      warn(context.io, 'Fix the files, or run with --salvage to import the whole records around the damage.');
      return ExitCode.Error;
    }

    const plan = mapLegacy(content, { fullCapacityClaims });
    const calls = toBatches(plan);
    const summary = startSummary(plan, content, calls, dryRun);
    if (!dryRun) {
      const client = await context.client();
      if (!client.token) throw new UsageError('an admin token is required: set COORD_TOKEN or pass --token');
      const total = calls.batches.reduce((sum, batch) => sum + batch.recordCount, 0);
      const bar = new ProgressBar(
        context.io,
        total,
        context.io.isStderrTty && total >= PROGRESS_BAR_MIN_RECORDS,
      );
      const runNonce = randomUUID();
      try {
        for (const batch of calls.batches) {
          await sendBatch(context, client, batch, summary, runNonce);
          summary.calls.sent += 1;
          bar.advance(batch.recordCount);
        }
      } catch (error) {
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) throw error;
        summary.aborted =
          error instanceof ApiError
            ? `${IMPORT_PATH} answered HTTP ${error.status} ${error.code}: ${error.message}`
            : (error as Error).message;
      } finally {
        bar.finish();
      }
    }

    if (context.json) sayJson(context.io, summary);
    else {
      say(context.io, `Legacy import from ${dir}${dryRun ? ' (dry run: nothing sent)' : ''}`);
      say(
        context.io,
        `Files: ${content.files.map((file) => `${file.name} (${file.bytes} bytes)`).join(', ')}`,
      );
      say(context.io);
      for (const line of summaryLines(summary, context.values.verbose === true, table)) say(context.io, line);
    }
    const status = exitStatusOf(summary);
    return status === 'ok' ? ExitCode.Ok : status === 'conflict' ? ExitCode.Conflict : ExitCode.Error;
  },
};

/** Import commands. */
export const IMPORT_COMMANDS: readonly Command[] = [importLegacy];
