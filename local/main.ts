/**
 * `npm start`: the whole service on this machine (see README "Running locally").
 *
 * Reads the environment, keeps generated credentials in `.coord/credentials.json`, starts the
 * local stack and prints where everything is. Ctrl-C or SIGTERM stops the HTTP server and both
 * emulators, also while they are still starting. For a parent process that started it:
 * `COORD_READY_JSON=1` prints one machine-readable line, `COORD_READY {...}`, once ready, and
 * `COORD_EXIT_ON_STDIN_CLOSE=1` stops the stack when stdin closes (the parent went away).
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveCredentials } from './credentials';
import { JavaMissingError } from './emulators/dynamodb-local';
import type { LocalStack, LocalStackOptions } from './stack';

// The SQS emulator keeps its data with node:sqlite, which Node 22 flags as experimental on load.
// That warning says nothing the user can act on; every other warning is still printed.
const [printWarning] = process.listeners('warning');
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  const isSqliteNotice = warning.name === 'ExperimentalWarning' && warning.message.includes('SQLite');
  if (!isSqliteNotice) printWarning?.(warning);
});
const { startLocalStack } = await import('./stack');

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A setting the user got wrong; printed without a stack trace. */
class UsageError extends Error {}

const env = process.env;
const setting = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);

const portSetting = (name: string, fallback: number): number => {
  const text = setting(name);
  if (text === undefined) return fallback;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new UsageError(`${name} must be a port number (0..65535, 0 picks a free one); got "${text}".`);
  }
  return port;
};

const positiveSetting = (name: string, fallback: number): number => {
  const text = setting(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new UsageError(`${name} must be a positive integer; got "${text}".`);
  return value;
};

const readOptions = async (signal: AbortSignal) => {
  const port = portSetting('PORT', 3000);
  const wsPort = portSetting('WS_PORT', 3001);
  const dataDir = setting('COORD_DATA_DIR') && resolve(setting('COORD_DATA_DIR') as string);
  const credentialsFile = resolve(
    PROJECT_ROOT,
    setting('COORD_CREDENTIALS_FILE') ?? '.coord/credentials.json',
  );
  const credentials = await resolveCredentials(
    { adminToken: setting('COORD_ADMIN_TOKEN'), registrationKey: setting('COORD_REGISTRATION_KEY') },
    credentialsFile,
  );
  const shared = setting('AWS_ENDPOINT_URL');
  const dynamodb = setting('AWS_ENDPOINT_URL_DYNAMODB') ?? shared;
  const sqs = setting('AWS_ENDPOINT_URL_SQS') ?? shared;
  const stage = setting('COORD_STAGE');
  const options: LocalStackOptions = {
    port,
    wsPort,
    signal,
    adminToken: credentials.adminToken,
    registrationKey: credentials.registrationKey,
    ...(dataDir ? { dataDir } : {}),
    ...(setting('AWS_REGION') ? { region: setting('AWS_REGION') } : {}),
    ...(stage ? { stage } : {}),
    ...(setting('COORD_TABLE_PREFIX') ? { tablePrefix: setting('COORD_TABLE_PREFIX') } : {}),
    endpoints: { ...(dynamodb ? { dynamodb } : {}), ...(sqs ? { sqs } : {}) },
    handlerTimeoutMs: positiveSetting('COORD_HANDLER_TIMEOUT_MS', 29_000),
    dynamoDbPort: portSetting('COORD_DYNAMODB_PORT', 0),
    sqsPort: portSetting('COORD_SQS_PORT', 0),
  };
  const saved =
    credentials.sources.adminToken !== 'environment' || credentials.sources.registrationKey !== 'environment';
  return { options, credentialsFile: saved ? credentialsFile : undefined };
};

const banner = (stack: LocalStack, credentialsFile: string | undefined): string => {
  const where = (endpoint: string, embedded: boolean, what: string) =>
    embedded ? `${endpoint} (${what})` : `${endpoint} (external)`;
  const lines = [
    '',
    'Agent coordination service is running locally.',
    `  HTTP API          ${stack.url}`,
    ...(stack.dashboardUrl
      ? [`  Dashboard         ${stack.dashboardUrl} (sign in with the admin token)`]
      : []),
    `  WebSocket API     ${stack.wsUrl}/?token=<token>`,
    `  Admin token       ${stack.adminToken}`,
    `  Registration key  ${stack.registrationKey}`,
    ...(credentialsFile ? [`  Credentials kept  ${credentialsFile}`] : []),
    `  Data              ${stack.dataDir ?? 'in memory (set COORD_DATA_DIR to keep it)'}`,
    `  DynamoDB          ${where(stack.endpoints.dynamodb, stack.endpoints.embedded.dynamodb, 'DynamoDB Local')}`,
    `  SQS               ${where(stack.endpoints.sqs, stack.endpoints.embedded.sqs, 'embedded emulator')}`,
    '',
    `  Try: curl -s -H "Authorization: Bearer ${stack.adminToken}" ${stack.url}/v1/agents`,
    '',
    'Press Ctrl-C to stop.',
  ];
  return lines.join('\n');
};

const main = async (): Promise<void> => {
  const aborter = new AbortController();
  let stack: LocalStack | undefined;
  let stopping = false;

  const onSignal = (name: string) => {
    if (stopping) {
      // A second Ctrl-C: leave now; DynamoDB Local is killed by its exit hook.
      process.exit(1);
    }
    stopping = true;
    console.error(`\n${name}: stopping...`);
    // Whatever happens, do not hang: exit hooks kill DynamoDB Local on the way out.
    setTimeout(() => process.exit(1), 20_000).unref();
    if (stack) {
      stack.stop().then(() => process.exit(0));
    } else {
      aborter.abort(new Error(`${name} while starting`));
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  if (setting('COORD_EXIT_ON_STDIN_CLOSE') === '1') {
    // Started by another process (tests): when it goes away, so do we and our emulators.
    process.stdin.on('end', () => onSignal('stdin closed'));
    process.stdin.resume();
  }
  // A parent killed outright (tsx or a test runner, kill -9) passes no signal on; without this
  // check the stack and DynamoDB Local would keep running with nobody left to stop them.
  const parentPid = process.ppid;
  setInterval(() => {
    if (process.ppid !== parentPid) onSignal('parent process exited');
  }, 1000).unref();

  try {
    const { options, credentialsFile } = await readOptions(aborter.signal);
    stack = await startLocalStack(options);
    if (stopping) {
      await stack.stop();
      process.exit(0);
    }
    console.log(banner(stack, credentialsFile));
    if (setting('COORD_READY_JSON') === '1') {
      const ready = {
        url: stack.url,
        wsUrl: stack.wsUrl,
        dashboardUrl: stack.dashboardUrl ?? null,
        adminToken: stack.adminToken,
        registrationKey: stack.registrationKey,
        dataDir: stack.dataDir ?? null,
        dynamodbEndpoint: stack.endpoints.dynamodb,
        sqsEndpoint: stack.endpoints.sqs,
        tablePrefix: stack.tablePrefix,
        pid: process.pid,
      };
      console.log(`COORD_READY ${JSON.stringify(ready)}`);
    }
  } catch (error) {
    if (stopping) process.exit(0);
    if (error instanceof JavaMissingError || error instanceof UsageError) {
      console.error(error.message);
    } else if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(
        `Port ${(error as { port?: number }).port ?? ''} is already in use (another npm start?). ` +
          'Set PORT to another port, or PORT=0 for a free one.',
      );
    } else {
      console.error('The local stack failed to start:', error);
    }
    process.exit(1);
  }
};

await main();
