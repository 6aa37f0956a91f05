/**
 * Runs the local stack as a child process (`local/main.ts`, exactly what `npm start` runs) and
 * reads its `COORD_READY {...}` line. The e2e global setup uses it, and so do tests that stop,
 * kill or restart the stack. Each child's output goes to a log file named in every error (and
 * removed after a clean stop).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSecret } from '#local/credentials';
import { LOCAL_NODE_FLAGS } from '#local/node-flags';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const READY_PREFIX = 'COORD_READY ';

/** What the stack prints on its ready line. */
export interface ReadyInfo {
  readonly url: string;
  readonly wsUrl: string;
  readonly adminToken: string;
  readonly registrationKey: string;
  readonly dataDir: string | null;
  readonly dynamodbEndpoint: string;
  readonly sqsEndpoint: string;
  readonly tablePrefix: string;
  readonly pid: number;
}

/** A started (maybe not yet ready) stack process. */
export interface LaunchedStack {
  readonly child: ChildProcess;
  /** Resolves with the ready line; rejects when the process exits first. */
  readonly ready: Promise<ReadyInfo>;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  readonly logFile: string;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
}

/** Variables a test process may carry that must not leak into a stack it starts. */
const inheritedEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !name.startsWith('COORD_') && !name.startsWith('AWS_ENDPOINT_URL') && name !== 'PORT',
    ),
  );

/** How a stack process is started. */
export interface LaunchOptions {
  /**
   * Start it as the leader of its own process group, with DynamoDB Local (its child) in that
   * group, so the whole group can be killed at once, e.g. `process.kill(-pid, 'SIGKILL')`.
   * @default false (the stack shares this process's group)
   */
  readonly processGroup?: boolean;
}

/**
 * Starts `local/main.ts` in a child process on free ports. Fixed credentials are passed in
 * unless `env` names a credentials file, so nothing is written under the project's `.coord/`.
 * The child exits when this process goes away (its stdin closes).
 */
export const launchLocalStack = (
  env: Readonly<Record<string, string>> = {},
  options: LaunchOptions = {},
): LaunchedStack => {
  const credentials = env.COORD_CREDENTIALS_FILE
    ? {}
    : { COORD_ADMIN_TOKEN: generateSecret('admin'), COORD_REGISTRATION_KEY: generateSecret('registration') };
  const child = spawn(process.execPath, [...LOCAL_NODE_FLAGS, '--import', 'tsx', 'local/main.ts'], {
    cwd: PROJECT_ROOT,
    env: {
      ...inheritedEnv(),
      PORT: '0',
      WS_PORT: '0',
      COORD_READY_JSON: '1',
      COORD_EXIT_ON_STDIN_CLOSE: '1',
      ...credentials,
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: options.processGroup ?? false,
  });
  const logFile = join(tmpdir(), `coord-local-stack-${process.pid}-${child.pid}.log`);
  const log = createWriteStream(logFile);
  let output = '';
  const record = (chunk: Buffer) => {
    log.write(chunk);
    output = (output + chunk.toString()).slice(-200_000);
  };
  child.stderr?.on('data', record);

  const exited = new Promise<number | null>((resolve) => {
    // 'close', not 'exit': the output is complete only once stdio has closed.
    child.once('close', (code) => {
      log.end();
      resolve(code);
    });
  });
  const ready = new Promise<ReadyInfo>((resolve, reject) => {
    let pending = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      record(chunk);
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith(READY_PREFIX)) resolve(JSON.parse(line.slice(READY_PREFIX.length)) as ReadyInfo);
      }
    });
    exited.then((code) =>
      reject(
        new Error(
          `The local stack exited with ${code} before it was ready; see ${logFile}\n${output.slice(-4000)}`,
        ),
      ),
    );
  });
  ready.catch(() => undefined);
  return { child, ready, exited, logFile, output: () => output };
};

/** A ready stack process. */
export interface SpawnedStack extends ReadyInfo {
  readonly launched: LaunchedStack;
  /** Sends `signal` and resolves with the exit code once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `local/main.ts` in a child process and resolves once it is ready. */
export const spawnLocalStack = async (
  env: Readonly<Record<string, string>> = {},
  { timeoutMs = 150_000, processGroup = false }: { timeoutMs?: number } & LaunchOptions = {},
): Promise<SpawnedStack> => {
  const launched = launchLocalStack(env, { processGroup });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new Error(`The local stack was not ready within ${timeoutMs} ms; see ${launched.logFile}`)),
      timeoutMs,
    );
  });
  try {
    const info = await Promise.race([launched.ready, timeout]);
    return {
      ...info,
      launched,
      stop: async (signal = 'SIGTERM') => {
        const isRunning = launched.child.exitCode === null && launched.child.signalCode === null;
        if (isRunning) launched.child.kill(signal);
        const code = await launched.exited;
        // The log only matters when something went wrong.
        if (code === 0) await rm(launched.logFile, { force: true });
        return code;
      },
    };
  } catch (error) {
    launched.child.kill('SIGTERM');
    throw error;
  } finally {
    clearTimeout(timer);
  }
};

/** Process ids still in a process group (a stack started with `processGroup`, DynamoDB Local included). */
export const membersOf = (group: number): number[] =>
  execFileSync('ps', ['-eo', 'pid=,pgid='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter(([pid, pgid]) => pgid === group && Number.isInteger(pid))
    .map(([pid]) => pid as number);
