/**
 * What a command may touch of the outside world besides HTTP: its output streams, the
 * environment and the clock. `main.ts` passes the process's; tests pass their own.
 */
import { codePointLength, printable, printableBlock } from './text';

/**
 * Exit status of `coord`: legacy callers only ever saw 0, so real codes are safe to add.
 * `coord run` answers like a shell when it cannot start the command: 126 (found but not
 * executable), 127 (not found).
 */
export const ExitCode = {
  Ok: 0,
  Error: 1,
  Usage: 2,
  Conflict: 3,
  /** `coord inbox --wait`: no message came in time. */
  TimedOut: 4,
  CannotExecute: 126,
  CommandNotFound: 127,
} as const;

/** One of `coord`'s exit statuses. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A text sink (process.stdout, or a buffer in tests). */
export interface TextSink {
  write(text: string): unknown;
}

/** Streams, environment and clock of one `coord` run. */
export interface Io {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  /** Reads all of standard input (for `pipe`). */
  readonly readStdin: () => Promise<string>;
  /** True when stderr is a terminal, so a progress bar may be drawn. */
  readonly isStderrTty: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly now: () => Date;
  /** Waits; commands use it for retries and polling so tests can run them instantly. */
  readonly sleep: (milliseconds: number) => Promise<void>;
}

/** Wrong or missing arguments: exit status 2 with the command's usage. */
export class UsageError extends Error {}

/** A failure already explained to the user; carries the exit status to use. */
export class CommandFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.Error,
    /** Facts the `--json` error carries (e.g. a token that could not be saved). */
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

/**
 * Writes a line to stdout. Control characters in it (data such as titles and notes may hold
 * any) are shown as escapes, so nothing printed moves the cursor or changes colours; newlines
 * and tabs stay (commands make data that must stay on one line `printable` themselves).
 */
export const say = (io: Io, line = ''): void => {
  io.stdout.write(`${printableBlock(line)}\n`);
};

/** Writes a line to stderr, with control characters shown as escapes as `say` does. */
export const warn = (io: Io, line: string): void => {
  io.stderr.write(`${printableBlock(line)}\n`);
};

/** Characters JSON.stringify leaves raw that a terminal may act on (DEL, C1, line separators). */
const JSON_RAW_UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Writes a value as pretty JSON to stdout (the `--json` output of every command). The data is
 * exact; characters a terminal could act on are written as `\uXXXX` escapes (JSON.stringify
 * already escapes C0 and lone surrogates).
 */
export const sayJson = (io: Io, value: unknown): void => {
  const text = JSON.stringify(value, null, 2).replace(
    JSON_RAW_UNSAFE,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  io.stdout.write(`${text}\n`);
};

/**
 * Lays out rows as aligned columns (first row is the header). Cells are made `printable`
 * (a newline or ESC in a title cannot add a row or colour the table) and measured in code points.
 */
export const table = (rows: readonly (readonly string[])[]): string[] => {
  const cells = rows.map((row) => row.map(printable));
  const widths: number[] = [];
  for (const row of cells) {
    row.forEach((cell, column) => {
      widths[column] = Math.max(widths[column] ?? 0, codePointLength(cell));
    });
  }
  return cells.map((row) =>
    row
      .map((cell, column) =>
        column === row.length - 1 ? cell : cell + ' '.repeat((widths[column] ?? 0) - codePointLength(cell)),
      )
      .join('  ')
      .trimEnd(),
  );
};
