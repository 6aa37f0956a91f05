/**
 * Field-level rules for legacy records: reading loosely typed fields with a note for every
 * surprise, normalizing timestamps, and turning legacy ids, teams and types into values the
 * service accepts. Every rule here is deterministic, so a re-import maps to the same records.
 */
import { createHash } from 'node:crypto';

const AGENT_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{2,127}$/;
const WORK_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const TEAM = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Team the legacy script used when none was given; also the fallback for a missing team. */
export const LEGACY_DEFAULT_TEAM = 'autonomous_team';

/** The result the legacy `complete` records for a failure (there was no failed status). */
export const LEGACY_FAILED = 'failed';

/** Work type used when a record has none. */
export const UNSPECIFIED_TYPE = 'unspecified';

const MAX_TITLE = 200;
const MAX_TYPE = 64;
const MAX_CAPABILITY = 64;

const typeName = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;

/**
 * Reads one legacy object. A field whose value is carried unchanged into the new record is
 * `consume`d; every other field ends up in `metadata.legacy`, so nothing of the record is lost.
 */
export class FieldReader {
  readonly notes: string[] = [];
  private readonly consumed = new Set<string>();

  constructor(readonly raw: Readonly<Record<string, unknown>>) {}

  /** A string field; absent or null gives undefined, another type a note. */
  text(key: string): string | undefined {
    const value = this.raw[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    this.notes.push(`${key}: expected text, found ${typeName(value)} (kept in metadata.legacy)`);
    return undefined;
  }

  /** A finite number field; another type gives a note. */
  number(key: string): number | undefined {
    const value = this.raw[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    this.notes.push(`${key}: expected a number, found ${typeName(value)} (kept in metadata.legacy)`);
    return undefined;
  }

  /** An ISO 8601 UTC timestamp field, normalized (see `normalizeTimestamp`). */
  timestamp(key: string): string | undefined {
    const value = this.text(key);
    if (value === undefined) return undefined;
    const normalized = normalizeTimestamp(value);
    if (normalized === undefined) {
      this.notes.push(`${key}: '${value}' is not a timestamp (kept in metadata.legacy)`);
    } else if (normalized !== value) {
      this.notes.push(`${key}: '${value}' read as ${normalized}`);
    }
    return normalized;
  }

  /** Marks fields as carried unchanged, so they are not repeated in `metadata.legacy`. */
  consume(...keys: string[]): void {
    for (const key of keys) this.consumed.add(key);
  }

  /** Every field not consumed, in the record's own order. */
  leftover(): Record<string, unknown> {
    return Object.fromEntries(Object.entries(this.raw).filter(([key]) => !this.consumed.has(key)));
  }
}

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
// BSD `date` prints a literal N for %N, so upstream spans hold times like `17:35:33.3NZ`.
const BSD_FRACTION = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.\d*N+Z$/;

/**
 * A legacy time as ISO 8601 UTC: `YYYY-MM-DDTHH:MM:SS[.fraction]Z` is kept as written, an
 * offset is converted to UTC, a BSD `…SS.3NZ` loses its fraction; anything else is undefined.
 */
export const normalizeTimestamp = (value: string): string | undefined => {
  const bsd = BSD_FRACTION.exec(value);
  const candidate = bsd ? `${bsd[1]}Z` : value;
  const match = TIMESTAMP.exec(candidate);
  if (!match) return undefined;
  const time = Date.parse(candidate);
  if (Number.isNaN(time)) return undefined;
  if (match[3] !== 'Z') return new Date(time).toISOString();
  // Date.parse accepts 2026-02-31; a round trip of the date part refuses it.
  if (new Date(time).toISOString().slice(0, 10) !== candidate.slice(0, 10)) return undefined;
  return candidate;
};

const NANOSECOND_ID = /_(\d{19})$/;

/**
 * The time encoded in a legacy id (`agent_<date +%s%N>`, `work_<…>`): ids made by the
 * script carry their creation time in nanoseconds. Undefined when the id has none.
 */
export const timeFromLegacyId = (id: string): string | undefined => {
  const match = NANOSECOND_ID.exec(id);
  if (!match) return undefined;
  const milliseconds = Number(BigInt(match[1] as string) / 1_000_000n);
  const date = new Date(milliseconds);
  const year = date.getUTCFullYear();
  return year >= 2000 && year <= 2100 ? date.toISOString() : undefined;
};

const shortHash = (value: string): string => createHash('sha256').update(value).digest('hex').slice(0, 8);

const remapId = (raw: string): string => {
  const safe = raw.replace(/[^A-Za-z0-9_.:-]/g, '_').slice(0, 100);
  return safe.length > 0 ? `legacy.${safe}.${shortHash(raw)}` : `legacy.${shortHash(raw)}`;
};

/**
 * The service id of a legacy agent id. Valid ids are kept; any other (too short, too long,
 * other characters, empty) becomes `legacy.<id with other characters as _, at most 100>.<first
 * 8 hex of its SHA-256>`, the same everywhere it appears, and the original stays in metadata.
 */
export const agentIdFor = (raw: string): string => (AGENT_ID.test(raw) ? raw : remapId(raw));

/** The service id of a legacy work id: kept when valid, else the rule of `agentIdFor`. */
export const workIdFor = (raw: string): string => (WORK_ID.test(raw) ? raw : remapId(raw));

/** A team name the service accepts: other characters become `_`; empty gives the legacy default. */
export const teamFor = (raw: string | undefined): string => {
  if (raw !== undefined && TEAM.test(raw)) return raw;
  const cleaned = (raw ?? '')
    .replace(/[^A-Za-z0-9_.-]/g, '_')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 64);
  return cleaned.length > 0 ? cleaned : LEGACY_DEFAULT_TEAM;
};

/** Reads a record's `team` into a team name the service accepts, noting any change. */
export const readTeam = (reader: FieldReader): string => {
  const raw = reader.text('team');
  const team = teamFor(raw);
  if (team === raw) reader.consume('team');
  else
    reader.notes.push(
      raw === undefined ? `no team: imported into ${team}` : `team '${raw}' imported as ${team}`,
    );
  return team;
};

/** A work type the service accepts (1..64 characters). */
export const typeFor = (raw: string | undefined): string => {
  const trimmed = (raw ?? '').trim();
  return trimmed.length === 0 ? UNSPECIFIED_TYPE : trimmed.slice(0, MAX_TYPE);
};

/** A capability tag (1..64 characters), or undefined for an empty one. */
export const capabilityFor = (raw: string | undefined): string | undefined => {
  const trimmed = (raw ?? '').trim();
  return trimmed.length === 0 ? undefined : trimmed.slice(0, MAX_CAPABILITY);
};

/**
 * Title and description from a legacy description, which is the only text a claim has:
 * a short one-line text is the title; a longer one gives a title (its first line, cut to 200
 * characters with an ellipsis) and stays whole as the description. An empty one uses the type.
 */
export const titleFor = (
  description: string | undefined,
  type: string,
): { title: string; description?: string } => {
  const text = (description ?? '').trim();
  if (text.length === 0) return { title: type };
  const firstLine = text.split('\n')[0]?.trim() ?? '';
  if (firstLine === description && firstLine.length <= MAX_TITLE) return { title: firstLine };
  const title = firstLine.length <= MAX_TITLE ? firstLine : `${firstLine.slice(0, MAX_TITLE - 1)}…`;
  return { title, description: description as string };
};

/** Earliest of some ISO times (undefined when none). */
export const earliest = (times: readonly (string | undefined)[]): string | undefined =>
  pick(times, (a, b) => a < b);

/** Latest of some ISO times (undefined when none). */
export const latest = (times: readonly (string | undefined)[]): string | undefined =>
  pick(times, (a, b) => a > b);

const pick = (
  times: readonly (string | undefined)[],
  better: (a: number, b: number) => boolean,
): string | undefined => {
  let best: string | undefined;
  for (const time of times) {
    if (time === undefined) continue;
    if (best === undefined || better(Date.parse(time), Date.parse(best))) best = time;
  }
  return best;
};
