/**
 * Global setup of the e2e project: one local stack (a child process running `local/main.ts`,
 * as `npm start` does) on free ports for the whole run. Tests read it with
 * `inject('localStack')`; they keep out of each other's way with unique team and agent names.
 */
import type { TestProject } from 'vitest/node';
import { type SpawnedStack, spawnLocalStack } from './local-stack';

/** What e2e tests get from `inject('localStack')`. */
export interface ProvidedStack {
  readonly url: string;
  /** The WebSocket API, e.g. `ws://127.0.0.1:3001`. */
  readonly wsUrl: string;
  readonly adminToken: string;
  readonly registrationKey: string;
  /** The stack's DynamoDB and table prefix, for tests that check what the API cannot show. */
  readonly dynamodbEndpoint: string;
  readonly tablePrefix: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    localStack: ProvidedStack;
  }
}

let stack: SpawnedStack | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Tests check behaviour, not speed: on a loaded machine a request may outlast API Gateway's 29 s.
  stack = await spawnLocalStack({ COORD_HANDLER_TIMEOUT_MS: '300000' });
  project.provide('localStack', {
    url: stack.url,
    wsUrl: stack.wsUrl,
    adminToken: stack.adminToken,
    dynamodbEndpoint: stack.dynamodbEndpoint,
    tablePrefix: stack.tablePrefix,
    registrationKey: stack.registrationKey,
  });
  return async () => {
    const code = await stack?.stop('SIGTERM');
    if (code !== 0) console.error(`The e2e local stack exited with ${code}; see ${stack?.launched.logFile}`);
  };
}
