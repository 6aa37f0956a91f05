/**
 * Splits an import plan into `POST /v1/import` calls of at most 500 records and 1 MiB each.
 * Agents go first, then work, then events, so every claim's agent and every event's item is
 * sent no later than the records that name it.
 */
import {
  IMPORT_KINDS,
  IMPORT_MAX_BYTES,
  IMPORT_MAX_RECORDS,
  type ImportBody,
  type ImportKind,
} from './import-records';
import type { NotImported, Planned } from './plan';

/** One call's worth of records. */
export interface ImportBatch {
  /** The exact body to send (its UTF-8 length is within the byte limit). */
  readonly text: string;
  /** The records, per kind, in body order: a reply's `{kind, index}` points into these. */
  readonly entries: Readonly<Record<ImportKind, readonly Planned<unknown>[]>>;
  readonly recordCount: number;
}

/** Limits of one call. */
export interface BatchLimits {
  readonly maxRecords: number;
  readonly maxBytes: number;
}

const DEFAULT_LIMITS: BatchLimits = { maxRecords: IMPORT_MAX_RECORDS, maxBytes: IMPORT_MAX_BYTES };

interface Sized {
  readonly kind: ImportKind;
  readonly planned: Planned<unknown>;
  readonly json: string;
  readonly bytes: number;
}

class BatchBuilder {
  private readonly parts: Record<ImportKind, Sized[]> = { agents: [], work: [], events: [] };
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Exact UTF-8 length of the body with one more record of `kind` of `bytes` bytes. */
  bytesWith(kind: ImportKind, bytes: number): number {
    let total = 2; // {}
    let kinds = 0;
    for (const name of IMPORT_KINDS) {
      const items = this.parts[name];
      const extra = name === kind ? 1 : 0;
      if (items.length + extra === 0) continue;
      kinds += 1;
      // "name":[ ... ] plus a comma between items
      total +=
        name.length + 5 + items.reduce((sum, item) => sum + item.bytes, 0) + (items.length + extra - 1);
      if (extra) total += bytes;
    }
    return total + Math.max(0, kinds - 1);
  }

  add(item: Sized): void {
    this.parts[item.kind].push(item);
    this.count += 1;
  }

  build(): ImportBatch {
    const body: string[] = [];
    for (const name of IMPORT_KINDS) {
      const items = this.parts[name];
      if (items.length > 0)
        body.push(`${JSON.stringify(name)}:[${items.map((item) => item.json).join(',')}]`);
    }
    return {
      text: `{${body.join(',')}}`,
      entries: {
        agents: this.parts.agents.map((item) => item.planned),
        work: this.parts.work.map((item) => item.planned),
        events: this.parts.events.map((item) => item.planned),
      },
      recordCount: this.count,
    };
  }
}

/** The plan as calls; a record too large for any call is returned in `oversized` instead. */
export const toBatches = (
  plan: Readonly<Record<ImportKind, readonly Planned<unknown>[]>>,
  limits: BatchLimits = DEFAULT_LIMITS,
): { batches: ImportBatch[]; oversized: NotImported[] } => {
  const batches: ImportBatch[] = [];
  const oversized: NotImported[] = [];
  let current = new BatchBuilder();
  for (const kind of IMPORT_KINDS) {
    for (const planned of plan[kind]) {
      const json = JSON.stringify(planned.record);
      const item: Sized = { kind, planned, json, bytes: Buffer.byteLength(json, 'utf8') };
      if (new BatchBuilder().bytesWith(kind, item.bytes) > limits.maxBytes) {
        oversized.push({
          kind,
          id: planned.id,
          ...(planned.source ? { source: planned.source } : {}),
          reason: 'larger than one import call may be',
          detail: `${item.bytes} bytes`,
        });
        continue;
      }
      if (current.size >= limits.maxRecords || current.bytesWith(kind, item.bytes) > limits.maxBytes) {
        batches.push(current.build());
        current = new BatchBuilder();
      }
      current.add(item);
    }
  }
  if (current.size > 0) batches.push(current.build());
  return { batches, oversized };
};

/** Parses a batch body back (for callers that want the object form). */
export const batchBody = (batch: ImportBatch): ImportBody => JSON.parse(batch.text) as ImportBody;
