import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
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

/**
 * A port the OS says is free right now on every interface (DynamoDB Local binds 0.0.0.0, so a
 * port free only on 127.0.0.1 is not enough). Released before returning: another process may take
 * it before Java binds it, which {@link startDynamoDbLocal} detects and answers with another port.
 */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

/** DynamoDB Local could not bind its port (another process holds it). */
class PortTakenError extends Error {
  constructor() {
    super('DynamoDB Local could not bind its port: another process holds it');
    this.name = 'PortTakenError';
  }
}

/** How many free ports are tried when the one picked is taken before Java binds it. */
const PORT_ATTEMPTS = 5;

/**
 * Whether process `pid` holds the listening socket of `port`, read from /proc (Linux). `undefined`
 * where /proc does not say (other systems): the caller then relies on the failed-bind message.
 */
const listensOn = (pid: number | undefined, port: number): boolean | undefined => {
  if (pid === undefined || !existsSync('/proc/net/tcp')) return undefined;
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is field 1 (ADDR:PORT), st is field 3 (0A = LISTEN), inode is field 9.
      if (fields[1]?.endsWith(`:${hexPort}`) && fields[3] === '0A' && fields[9]) inodes.add(fields[9]);
    }
  }
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return inodes.has(/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1] ?? '');
      } catch {
        return false;
      }
    });
  } catch {
    return undefined;
  }
};

const hasJava = (): boolean => spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0;

const waitUntilListening = async (
  endpoint: string,
  child: ChildProcess,
  timeoutMs: number,
  portTaken: () => boolean,
  signal?: AbortSignal,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    if (portTaken()) throw new PortTakenError();
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited early with code ${child.exitCode}`);
    let answered = false;
    try {
      // Any HTTP answer (DynamoDB Local replies 400 to a bare GET) means a server is up.
      await fetch(endpoint, { signal: AbortSignal.timeout(1000) });
      answered = true;
    } catch {
      await new Promise((r) => setTimeout(r, 150));
    }
    // The answer may come from another process that took the port first: ours then reports a
    // failed bind (and keeps running without serving), so it only counts while ours has not.
    if (answered && !portTaken() && child.exitCode === null) {
      const ours = listensOn(child.pid, Number(new URL(endpoint).port));
      if (ours !== false) return;
      // Ours has not bound yet (or will fail to): wait for it, or for its failed bind.
      await new Promise((r) => setTimeout(r, 150));
    }
    if (answered && portTaken()) throw new PortTakenError();
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
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await launch(options.port || (await freePort()), options);
    } catch (error) {
      // A port picked by us can be taken before Java binds it (parallel test files): pick another.
      if (!(error instanceof PortTakenError) || options.port || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
};

const launch = async (port: number, options: DynamoDbLocalOptions): Promise<DynamoDbLocal> => {
  const home = dynamoDbLocalHome();
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
  let bindFailed = false;
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
    // A failed bind does not end the JVM: it stays up without serving, so it is read from here.
    if (/Failed to bind|BindException/.test(stderr)) bindFailed = true;
  });
  const killChild = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killChild);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilListening(
      endpoint,
      child,
      options.startTimeoutMs ?? 60_000,
      () => bindFailed,
      options.signal,
    );
  } catch (error) {
    process.removeListener('exit', killChild);
    killChild();
    // Waited for, so the process is reaped here: an exit right after must not leave it behind.
    await exited;
    if (options.signal?.aborted) throw options.signal.reason;
    if (error instanceof PortTakenError) throw error;
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
