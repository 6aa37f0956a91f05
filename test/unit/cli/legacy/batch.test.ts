import { describe, expect, it } from 'vitest';
import { batchBody, toBatches } from '../../../../cli/legacy/batch';
import { IMPORT_MAX_BYTES, IMPORT_MAX_RECORDS } from '../../../../cli/legacy/import-records';
import type { Planned } from '../../../../cli/legacy/plan';
import { planFixture } from '../support/legacy-fixtures';

const planned = (id: string, size = 0): Planned<unknown> => ({
  id,
  record: { id, padding: 'é'.repeat(size) },
  notes: [],
});

const many = (count: number, size = 0) =>
  Array.from({ length: count }, (_, index) => planned(`r${index}`, size));

describe('toBatches', () => {
  it('sends a small plan in one call, agents before work before events', async () => {
    const plan = await planFixture();
    const { batches, oversized } = toBatches(plan);
    expect(batches).toHaveLength(1);
    expect(oversized).toEqual([]);
    const body = batchBody(batches[0] as never);
    expect(Object.keys(body)).toEqual(['agents', 'work', 'events']);
    expect([body.agents?.length, body.work?.length, body.events?.length]).toEqual([8, 40, 86]);
  });

  it('never puts more than 500 records in a call', () => {
    const { batches } = toBatches({ agents: many(300), work: many(700), events: many(1) });
    expect(batches.map((batch) => batch.recordCount)).toEqual([IMPORT_MAX_RECORDS, IMPORT_MAX_RECORDS, 1]);
    expect(batches[0]?.entries.agents).toHaveLength(300);
    expect(batches[0]?.entries.work).toHaveLength(200);
  });

  it('keeps every call within 1 MiB, counting UTF-8 bytes exactly', () => {
    // about 20 KiB per record in two-byte characters: a call holds some fifty of them
    const { batches } = toBatches({ agents: [], work: many(120, 10_000), events: [] });
    expect(batches.length).toBeGreaterThan(1);
    for (const batch of batches) {
      expect(Buffer.byteLength(batch.text)).toBeLessThanOrEqual(IMPORT_MAX_BYTES);
      expect(JSON.parse(batch.text).work).toHaveLength(batch.recordCount);
    }
    expect(batches.reduce((sum, batch) => sum + batch.recordCount, 0)).toBe(120);
  });

  it('fills a call up to the byte limit exactly', () => {
    const limits = { maxRecords: 500, maxBytes: 100 };
    const { batches } = toBatches({ agents: [], work: many(10), events: many(10) }, limits);
    for (const batch of batches) expect(Buffer.byteLength(batch.text)).toBeLessThanOrEqual(100);
    // the first record of the next call would not have fitted into the previous one
    batches.slice(0, -1).forEach((batch, index) => {
      const next = batches[index + 1] as (typeof batches)[number];
      const kind = next.entries.work.length > 0 ? 'work' : 'events';
      const body = JSON.parse(batch.text);
      body[kind] = [...(body[kind] ?? []), next.entries[kind][0]?.record];
      expect(Buffer.byteLength(JSON.stringify(body))).toBeGreaterThan(100);
    });
  });

  it('fits a body of exactly the byte limit in one call, and splits one byte below it', () => {
    const plan = { agents: many(2), work: many(1), events: many(3) };
    const exact = Buffer.byteLength(
      JSON.stringify({
        agents: plan.agents.map((entry) => entry.record),
        work: plan.work.map((entry) => entry.record),
        events: plan.events.map((entry) => entry.record),
      }),
    );
    expect(toBatches(plan, { maxRecords: 500, maxBytes: exact }).batches).toHaveLength(1);
    expect(toBatches(plan, { maxRecords: 500, maxBytes: exact - 1 }).batches).toHaveLength(2);
  });

  it('reports a record larger than any call instead of sending it', () => {
    const { batches, oversized } = toBatches({
      agents: [],
      work: [planned('huge', 600_000), planned('small')],
      events: [],
    });
    expect(oversized).toEqual([
      expect.objectContaining({ kind: 'work', id: 'huge', reason: 'larger than one import call may be' }),
    ]);
    expect(batches.map((batch) => batch.entries.work.map((entry) => entry.id))).toEqual([['small']]);
  });
});
