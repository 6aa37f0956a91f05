import { describe, expect, it } from 'vitest';
import { LegacyDirError, LegacyFileKind, loadLegacyDir } from '../../../../cli/legacy/files';
import { isBlocked, readLegacyFiles } from '../../../../cli/legacy/read';
import { fixtureDir, fixtureFile, readFixture } from '../support/legacy-fixtures';

const countOf = (content: Awaited<ReturnType<typeof readFixture>>, kind: string) =>
  content.records.filter((record) => record.kind === kind).length;

describe('loadLegacyDir', () => {
  it('reads the known files of a legacy directory', async () => {
    const files = await loadLegacyDir(fixtureDir());
    expect(files.map((file) => file.name)).toEqual([
      'work_claims.json',
      'agent_status.json',
      'coordination_log.json',
      'telemetry_spans.jsonl',
      'phoenix_telemetry_events.jsonl',
    ]);
  });

  it('adds the fast-path file and the archive of the swarmsh variant', async () => {
    const files = await loadLegacyDir(fixtureDir('swarmsh-variant'));
    expect(files.map((file) => [file.name, file.kind])).toContainEqual([
      'archived_claims/completed_claims_20261125_124419.json',
      LegacyFileKind.ArchivedClaims,
    ]);
    expect(files.map((file) => file.kind)).toContain(LegacyFileKind.FastClaims);
  });

  it('fails for a directory without legacy files', async () => {
    await expect(loadLegacyDir(fixtureDir('corrupted/variants'))).rejects.toThrow(LegacyDirError);
  });

  it('fails for a missing directory', async () => {
    await expect(loadLegacyDir(fixtureDir('no-such-dir'))).rejects.toThrow(LegacyDirError);
  });
});

describe('readLegacyFiles on the main dataset', () => {
  it('reads every record of every file', async () => {
    const content = await readFixture();
    expect(countOf(content, 'claims')).toBe(40);
    expect(countOf(content, 'agents')).toBe(8);
    expect(countOf(content, 'log')).toBe(17);
    expect(countOf(content, 'spans')).toBe(69);
    expect(countOf(content, 'events')).toBe(58);
    expect(content.damage).toEqual([]);
    expect(isBlocked(content)).toBe(false);
  });

  it('records the byte offset where each record starts', async () => {
    const content = await readFixture();
    const first = content.records.find((record) => record.kind === 'claims');
    expect(first).toMatchObject({ file: 'work_claims.json', index: 0, byte: 4 });
  });
});

describe('readLegacyFiles on corrupted files', () => {
  it('blocks the import and names file, byte and line of each damage', async () => {
    const content = await readFixture('corrupted');
    expect(isBlocked(content)).toBe(true);
    expect(content.damage).toEqual([
      expect.objectContaining({
        file: 'work_claims.json',
        byte: 15_388,
        line: 492,
        message: 'unterminated string',
        recordIndex: 23,
      }),
      expect.objectContaining({
        file: 'agent_status.json',
        line: 34,
        column: 17,
        message: "expected a JSON value, found the bare word 'eighty'",
        recordIndex: 2,
      }),
    ]);
  });

  it('takes no record from a damaged file without salvage', async () => {
    const content = await readFixture('corrupted');
    expect(countOf(content, 'claims')).toBe(0);
    expect(countOf(content, 'agents')).toBe(0);
    expect(countOf(content, 'log')).toBe(17);
  });

  it('salvages the 23 whole claims before the cut, the last being work_1795358289872744690', async () => {
    const content = await readFixture('corrupted', true);
    const claims = content.records.filter((record) => record.kind === 'claims');
    expect(claims).toHaveLength(23);
    expect(claims.at(-1)?.value).toMatchObject({ work_item_id: 'work_1795358289872744690' });
    expect(content.damage[0]?.skippedBytes).toEqual({ from: 14_867, to: 15_388 });
  });

  it('salvages the 7 intact agents around the bad capacity', async () => {
    const content = await readFixture('corrupted', true);
    const agents = content.records.filter((record) => record.kind === 'agents');
    expect(agents).toHaveLength(7);
    expect(agents.map((record) => (record.value as { agent_id: string }).agent_id)).not.toContain(
      'agent_1795250283608232111',
    );
    expect(isBlocked(content)).toBe(false);
  });

  it('reports a zero-byte claims file as damage at byte 0', () => {
    const file = fixtureFile('corrupted/variants/work_claims.zero-bytes.json', 'claims', 'work_claims.json');
    const content = readLegacyFiles([file], { salvage: false });
    expect(content.damage).toEqual([
      expect.objectContaining({
        file: 'work_claims.json',
        byte: 0,
        message: 'the file is empty (no JSON array)',
      }),
    ]);
    expect(content.records).toEqual([]);
  });

  it('finds the torn write at the 4 KiB boundary and salvages the 20 distinct clones around it', () => {
    const file = fixtureFile('corrupted/variants/work_claims.torn-write.json', 'claims', 'work_claims.json');
    expect(readLegacyFiles([file], { salvage: false }).damage[0]).toMatchObject({ byte: 4096, line: 147 });
    const salvaged = readLegacyFiles([file], { salvage: true });
    const ids = salvaged.records.map((record) => (record.value as { work_item_id: string }).work_item_id);
    expect(new Set(ids).size).toBe(20);
    expect(salvaged.damage[0]?.skippedBytes).toEqual({ from: 4076, to: 4148 });
  });

  it('refuses the no-jq claims file and salvages its two claims', () => {
    const file = fixtureFile('corrupted/variants/work_claims.no-jq.json', 'claims', 'work_claims.json');
    const refused = readLegacyFiles([file], { salvage: false });
    expect(refused.damage[0]).toMatchObject({ byte: 2, message: expect.stringContaining('without jq') });
    expect(refused.records).toEqual([]);
    expect(readLegacyFiles([file], { salvage: true }).records).toHaveLength(2);
  });

  it('refuses the bare agent object written without jq and salvages it', () => {
    const file = fixtureFile('corrupted/variants/agent_status.no-jq.json', 'agents', 'agent_status.json');
    expect(isBlocked(readLegacyFiles([file], { salvage: false }))).toBe(true);
    expect(readLegacyFiles([file], { salvage: true }).records).toHaveLength(1);
  });

  it('skips a telemetry object that does not parse without blocking the import', async () => {
    const content = await readFixture('swarmsh-variant');
    expect(isBlocked(content)).toBe(false);
    expect(countOf(content, 'spans')).toBe(12);
    expect(content.historyDamage).toEqual([
      expect.objectContaining({ file: 'telemetry_spans.jsonl', recordIndex: 12 }),
    ]);
  });
});
