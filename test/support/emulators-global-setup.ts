/**
 * Global setup of the integration project: one DynamoDB Local (in memory) and one SQS emulator
 * for the whole run. Test files read the endpoints with `inject(...)` and isolate themselves by
 * table prefix and queue name, so they can run in parallel against the same emulators.
 */
import { startFauxqs } from 'fauxqs';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '#local/emulators/dynamodb-local';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Endpoint of the run's DynamoDB Local. */
    dynamoEndpoint: string;
    /** Endpoint of the run's SQS emulator. */
    sqsEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [dynamo, sqs] = await Promise.all([startDynamoDbLocal(), startFauxqs({ port: 0, logger: false })]);
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('sqsEndpoint', `http://127.0.0.1:${sqs.port}`);
  return async () => {
    await Promise.all([sqs.stop(), dynamo.stop()]);
  };
}
