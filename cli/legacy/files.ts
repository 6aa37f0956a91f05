/**
 * Which files of a legacy coordination directory the importer reads, and reading them from
 * disk. Everything after loading is pure (`read.ts`, `map.ts`), so tests feed file contents.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** What a legacy file holds; decides how it is parsed and whether damage stops the import. */
export const LegacyFileKind = {
  Claims: 'claims',
  FastClaims: 'fast-claims',
  ArchivedClaims: 'archived-claims',
  Agents: 'agents',
  Log: 'log',
  Spans: 'spans',
  Events: 'events',
} as const;

/** A legacy file kind. */
export type LegacyFileKind = (typeof LegacyFileKind)[keyof typeof LegacyFileKind];

/** One legacy file's content. `modifiedAt` stands in for times a record does not carry. */
export interface LegacySourceFile {
  readonly kind: LegacyFileKind;
  /** Path relative to the legacy directory, as reports name it. */
  readonly name: string;
  readonly text: string;
  readonly modifiedAt: string;
}

/** Fixed file names of a legacy directory (swarmsh adds the fast path and the archive). */
export const LEGACY_FILE_NAMES: Readonly<Record<string, LegacyFileKind>> = {
  'work_claims.json': LegacyFileKind.Claims,
  'work_claims_fast.jsonl': LegacyFileKind.FastClaims,
  'agent_status.json': LegacyFileKind.Agents,
  'coordination_log.json': LegacyFileKind.Log,
  'telemetry_spans.jsonl': LegacyFileKind.Spans,
  'phoenix_telemetry_events.jsonl': LegacyFileKind.Events,
};

/** Folder where swarmsh's `optimize` moves completed claims. */
export const ARCHIVE_DIR = 'archived_claims';

/** The directory is missing or holds none of the legacy files. */
export class LegacyDirError extends Error {}

const readSource = async (dir: string, name: string, kind: LegacyFileKind): Promise<LegacySourceFile> => {
  const path = join(dir, name);
  const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
  return { kind, name, text, modifiedAt: new Date(Math.floor(info.mtimeMs / 1000) * 1000).toISOString() };
};

const listNames = async (dir: string): Promise<string[]> => {
  try {
    return await readdir(dir);
  } catch (error) {
    throw new LegacyDirError(`cannot read the legacy directory ${dir}`, { cause: error });
  }
};

/**
 * Reads every legacy file present in `dir` (and `archived_claims/*.json`), in a fixed order.
 * @throws LegacyDirError when the directory cannot be read or holds no legacy file.
 */
export const loadLegacyDir = async (dir: string): Promise<LegacySourceFile[]> => {
  const names = new Set(await listNames(dir));
  const wanted = Object.entries(LEGACY_FILE_NAMES).filter(([name]) => names.has(name));
  const files = await Promise.all(wanted.map(([name, kind]) => readSource(dir, name, kind)));
  if (names.has(ARCHIVE_DIR)) {
    const archived = (await listNames(join(dir, ARCHIVE_DIR)))
      .filter((name) => name.endsWith('.json'))
      .sort();
    for (const name of archived) {
      files.push(await readSource(dir, join(ARCHIVE_DIR, name), LegacyFileKind.ArchivedClaims));
    }
  }
  if (files.length === 0) {
    throw new LegacyDirError(
      `no legacy files in ${dir} (expected ${Object.keys(LEGACY_FILE_NAMES).join(', ')} or ${ARCHIVE_DIR}/)`,
    );
  }
  return files;
};
