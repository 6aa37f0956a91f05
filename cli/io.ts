/**
 * What a command may touch of the outside world besides HTTP: its output streams, the
 * environment and the clock. `main.ts` passes the process's; tests pass their own.
 */

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

/** Writes a line to stdout. */
export const say = (io: Io, line = ''): void => {
  io.stdout.write(`${line}\n`);
};

/** Writes a line to stderr. */
export const warn = (io: Io, line: string): void => {
  io.stderr.write(`${line}\n`);
};

/** Writes a value as pretty JSON to stdout (the `--json` output of every command). */
export const sayJson = (io: Io, value: unknown): void => {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
};

/** Lays out rows as aligned columns (first row is the header). */
export const table = (rows: readonly (readonly string[])[]): string[] => {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, column) => {
      widths[column] = Math.max(widths[column] ?? 0, cell.length);
    });
  }
  return rows.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
};
