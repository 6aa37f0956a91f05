import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LegacyFileKind, type LegacySourceFile, loadLegacyDir } from '../../../../cli/legacy/files';
import { mapLegacy } from '../../../../cli/legacy/map';
import type { ImportPlan } from '../../../../cli/legacy/plan';
import { type LegacyContent, readLegacyFiles } from '../../../../cli/legacy/read';

/** Copies of the legacy fixtures (see fixtures/legacy/README.md for how they were made). */
export const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/legacy');

/** A fixture directory by name ('' is the main dataset). */
export const fixtureDir = (name = ''): string => join(FIXTURES, name);

/** Reads a legacy fixture directory. */
export const readFixture = async (name = '', salvage = false): Promise<LegacyContent> =>
  readLegacyFiles(await loadLegacyDir(fixtureDir(name)), { salvage });

/** Reads and maps a legacy fixture directory. */
export const planFixture = async (name = '', salvage = false): Promise<ImportPlan> =>
  mapLegacy(await readFixture(name, salvage));

/** One fixture file as a legacy source of the given kind (for the variants with other names). */
export const fixtureFile = (path: string, kind: LegacyFileKind, name: string): LegacySourceFile => ({
  kind,
  name,
  text: readFileSync(join(FIXTURES, path), 'utf8'),
  modifiedAt: '2026-11-25T13:55:00.000Z',
});

/** Parsed JSON of a fixture file. */
export const fixtureJson = <T>(path: string): T =>
  JSON.parse(readFileSync(join(FIXTURES, path), 'utf8')) as T;
