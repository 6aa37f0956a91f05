/**
 * Turns loaded legacy files into raw records with their positions, and reports every place a
 * file does not parse. State files (claims, agents, log) must parse whole unless salvage is
 * on; the telemetry files are optional history, so a bad object there is skipped with a
 * warning whatever the mode.
 */
import { type LegacyFileKind as FileKind, LegacyFileKind, type LegacySourceFile } from './files';
import { type ScanDamage, type ScannedContainer, scanArrayFile, scanValueStream } from './json-scan';
import { createLocator, type Locator } from './locate';

/** One whole JSON value read from a legacy file. */
export interface RawRecord {
  readonly file: string;
  readonly kind: FileKind;
  /** Position among the file's records (damaged ones count too). */
  readonly index: number;
  /** Byte offset where the record starts. */
  readonly byte: number;
  readonly value: unknown;
  /** The file's modification time, for records that carry no time at all. */
  readonly fileModifiedAt: string;
}

/** A place where a file does not parse. */
export interface FileDamage {
  readonly file: string;
  readonly kind: FileKind;
  readonly byte: number;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  /** Index the damaged record would have had. */
  readonly recordIndex: number;
  /** Bytes skipped, from the damaged record's start to where reading resumed (or the end). */
  readonly skippedBytes: { readonly from: number; readonly to: number };
}

/** Everything read from a legacy directory, before mapping. */
export interface LegacyContent {
  readonly records: readonly RawRecord[];
  /** Damage in state files: without salvage, any entry means nothing may be imported. */
  readonly damage: readonly FileDamage[];
  /** Objects of the telemetry files that were skipped because they do not parse. */
  readonly historyDamage: readonly FileDamage[];
  readonly salvaged: boolean;
  readonly files: readonly { readonly name: string; readonly kind: FileKind; readonly bytes: number }[];
}

const HISTORY_KINDS: ReadonlySet<FileKind> = new Set([LegacyFileKind.Spans, LegacyFileKind.Events]);
const STREAM_KINDS: ReadonlySet<FileKind> = new Set([
  LegacyFileKind.FastClaims,
  LegacyFileKind.Spans,
  LegacyFileKind.Events,
]);

const scan = (file: LegacySourceFile, salvage: boolean): ScannedContainer =>
  STREAM_KINDS.has(file.kind) ? scanValueStream(file.text) : scanArrayFile(file.text, { salvage });

const toDamage = (file: LegacySourceFile, locator: Locator, damage: ScanDamage): FileDamage => {
  const where = locator.position(damage.at);
  const to = Math.max(damage.resumedAt ?? file.text.length, damage.from);
  return {
    file: file.name,
    kind: file.kind,
    byte: where.byte,
    line: where.line,
    column: where.column,
    message: damage.message,
    recordIndex: damage.index,
    skippedBytes: { from: locator.byte(damage.from), to: locator.byte(to) },
  };
};

/**
 * Reads the records of every file. Without `salvage`, a damaged state file contributes no
 * records at all and its damage is reported; with it, the whole records around the damage are
 * kept and every skipped byte range is reported.
 */
export const readLegacyFiles = (
  files: readonly LegacySourceFile[],
  options: { salvage: boolean },
): LegacyContent => {
  const records: RawRecord[] = [];
  const damage: FileDamage[] = [];
  const historyDamage: FileDamage[] = [];
  for (const file of files) {
    const scanned = scan(file, options.salvage);
    const locator = createLocator(file.text);
    const isHistory = HISTORY_KINDS.has(file.kind);
    const reports = scanned.damage.map((entry) => toDamage(file, locator, entry));
    (isHistory ? historyDamage : damage).push(...reports);
    if (reports.length > 0 && !isHistory && !options.salvage) continue;
    for (const element of scanned.elements) {
      records.push({
        file: file.name,
        kind: file.kind,
        index: element.index,
        byte: locator.byte(element.start),
        value: element.value,
        fileModifiedAt: file.modifiedAt,
      });
    }
  }
  return {
    records,
    damage,
    historyDamage,
    salvaged: options.salvage,
    files: files.map((file) => ({ name: file.name, kind: file.kind, bytes: Buffer.byteLength(file.text) })),
  };
};

/** True when the import must stop: a state file is damaged and salvage is off. */
export const isBlocked = (content: LegacyContent): boolean => content.damage.length > 0 && !content.salvaged;
