import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** A running DynamoDB Local. */
export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** Options for {@link startDynamoDbLocal}. */
export interface DynamoDbLocalOptions {
  /** 0 also picks a free one. @default a free port chosen by the OS */
  readonly port?: number;
  /** Keep data in this directory (created when missing); @default in memory (lost on stop) */
  readonly dataDir?: string;
  /** @default 60_000 */
  readonly startTimeoutMs?: number;
  /**
   * Aborting while it starts stops the Java process at once (and waits until it is gone) instead
   * of waiting for it to answer first, which on a busy machine can take longer than whoever
   * aborted is willing to wait. @default never aborted
   */
  readonly signal?: AbortSignal;
}

/** Thrown when no Java runtime is on PATH; the message says what to install. */
export class JavaMissingError extends Error {
  constructor() {
    super(
      'DynamoDB Local needs a Java runtime (17 or newer), and `java` was not found on PATH.\n' +
        'Install one, then run the command again:\n' +
        '  Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless\n' +
        '  macOS (Homebrew): brew install openjdk@17\n' +
        'Or point the service at another endpoint with AWS_ENDPOINT_URL (e.g. LocalStack).',
    );
    this.name = 'JavaMissingError';
  }
}

/** The folder of the DynamoDB Local jar shipped inside the `amplify-dynamodb-simulator` npm package. */
export const dynamoDbLocalHome = (): string => {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
};

/** A port the OS says is free right now. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

const hasJava = (): boolean => spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0;

const waitUntilListening = async (
  endpoint: string,
  child: ChildProcess,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited early with code ${child.exitCode}`);
    try {
      // Any HTTP answer (DynamoDB Local replies 400 to a bare GET) means the server is up.
      await fetch(endpoint, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  throw new Error(`DynamoDB Local did not answer at ${endpoint} within ${timeoutMs} ms`);
};

/**
 * Starts DynamoDB Local as a child Java process and resolves once it answers HTTP.
 * The child dies with this process: `stop()` kills it, and it is also killed on `exit`.
 * @throws JavaMissingError when `java` is not on PATH.
 */
export const startDynamoDbLocal = async (options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> => {
  if (!hasJava()) throw new JavaMissingError();
  const home = dynamoDbLocalHome();
  const port = options.port || (await freePort());
  const dataDir = options.dataDir ? resolve(options.dataDir) : undefined;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const storage = dataDir ? ['-dbPath', dataDir] : ['-inMemory'];
  const child = spawn(
    'java',
    [
      '-Xms64m',
      '-Xmx512m',
      `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(home, 'DynamoDBLocal.jar'),
      ...storage,
      '-port',
      String(port),
      // One database for every access key and region, so any client (the AWS CLI with your own
      // profile, a test with dummy keys) sees the same tables.
      '-sharedDb',
      '-disableTelemetry',
    ],
    // DynamoDB Local writes a metadata file into its working directory; keep it out of the project.
    { stdio: ['ignore', 'ignore', 'pipe'], cwd: dataDir ?? tmpdir() },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const killChild = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killChild);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilListening(endpoint, child, options.startTimeoutMs ?? 60_000, options.signal);
  } catch (error) {
    process.removeListener('exit', killChild);
    killChild();
    // Waited for, so the process is reaped here: an exit right after must not leave it behind.
    await exited;
    if (options.signal?.aborted) throw options.signal.reason;
    throw new Error(`${(error as Error).message}\n${stderr}`, { cause: error });
  }
  return {
    endpoint,
    port,
    stop: async () => {
      process.removeListener('exit', killChild);
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
};
