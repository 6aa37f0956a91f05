/**
 * Runs the real `coord` command (cli/main.ts, bundled once per run by the e2e global setup, see
 * support/cli-bundle-global-setup.ts) as a child process against the e2e local stack, each test
 * with its own config and state folder so saved tokens never leak between tests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inject } from 'vitest';
import { stackClients } from '#test/support/e2e-fixtures';

const PROJECT_ROOT = resolve(import.meta.dirname, '..', '..', '..');

/** The legacy fixtures the CLI's own tests use (see its README for how they were made). */
export const LEGACY_FIXTURES = join(PROJECT_ROOT, 'test', 'unit', 'cli', 'fixtures', 'legacy');

/** One finished run: exit code and everything it printed. */
export interface CoordRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A machine running `coord`: its environment (service URL, token, own config and state folders). */
export interface CoordMachine {
  readonly env: Readonly<Record<string, string>>;
  /** Runs `coord <args>` to the end, with `env` added to the machine's environment. */
  run(args: readonly string[], env?: Readonly<Record<string, string>>): Promise<CoordRun>;
  /** Starts `coord <args>` and returns the child at once (for runs a test interrupts). */
  start(args: readonly string[], env?: Readonly<Record<string, string>>): CoordChild;
}

/** A running `coord` and its outcome once it exits. */
export interface CoordChild {
  readonly child: ChildProcess;
  readonly done: Promise<CoordRun>;
  /** Everything written to stdout so far. */
  stdout(): string;
}

const launch = (args: readonly string[], env: Readonly<Record<string, string>>): CoordChild => {
  const child = spawn(process.execPath, [inject('coordBundle'), ...args], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const done = new Promise<CoordRun>((resolveRun, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolveRun({ code, signal, stdout, stderr }));
  });
  return { child, done, stdout: () => stdout };
};

/**
 * A fresh machine for `coord`: the stack's URL, `token` as COORD_TOKEN (admin unless given), and
 * config and state folders of its own. Nothing of the test runner's environment but PATH.
 */
export const coordMachine = (token: 'admin' | 'registration' | 'none' = 'admin'): CoordMachine => {
  const stack = stackClients();
  const home = mkdtempSync(join(tmpdir(), 'coord-e2e-'));
  const bearer =
    token === 'admin' ? stack.admin.token : token === 'registration' ? stack.registration.token : undefined;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    XDG_CONFIG_HOME: join(home, 'config'),
    COORD_STATE_DIR: join(home, 'state'),
    COORD_URL: stack.url,
    ...(bearer ? { COORD_TOKEN: bearer } : {}),
  };
  return {
    env,
    run: (args, extra = {}) => launch(args, { ...env, ...extra }).done,
    start: (args, extra = {}) => launch(args, { ...env, ...extra }),
  };
};
