/**
 * What DynamoDB Local cannot produce (throttling, 5xx, timeouts, transaction conflicts) is
 * injected here with aws-sdk-client-mock; these tests also pin the requests the adapter sends.
 */
import {
  type CancellationReason,
  DynamoDBClient,
  InternalServerError,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDynamoPorts, type DynamoPorts, StoreError } from '#adapters/dynamo/index';
import { HEAD_MARGIN } from '#adapters/dynamo/partition-heads';
import { UnavailableError, ValidationError } from '#core/errors';
import { WriteConflict } from '#core/ports';
import { anAgent, anEvent, aWorkItem } from '#test/support/builders';
import { fixedClock } from '#test/support/clock';

const documentClient = mockClient(DynamoDBDocumentClient);
let ports: DynamoPorts;

beforeEach(() => {
  documentClient.reset();
  ports = createDynamoPorts({
    client: new DynamoDBClient({ region: 'us-east-1' }),
    tablePrefix: 'unit',
    readyShards: 2,
    clock: fixedClock(),
  });
});

afterEach(() => {
  documentClient.reset();
});

const metadata = { httpStatusCode: 400 };

const throttled = () =>
  new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: metadata });

const serverFault = () => new InternalServerError({ message: 'boom', $metadata: { httpStatusCode: 500 } });

const timeout = () => Object.assign(new Error('socket timed out'), { name: 'TimeoutError' });

const cancelled = (reasons: CancellationReason[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: metadata,
    CancellationReasons: reasons,
  });

describe('failures become domain errors', () => {
  it.each([
    ['throttling', throttled],
    ['a 5xx', serverFault],
    [
      'an unnamed 503',
      () => Object.assign(new Error('unavailable'), { name: 'Unknown', $metadata: { httpStatusCode: 503 } }),
    ],
    [
      'an unnamed server fault',
      () => Object.assign(new Error('oops'), { name: 'Unknown', $fault: 'server' }),
    ],
    ['a timeout', timeout],
    [
      'a refused connection',
      () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    ],
  ])('turns %s on a read into UnavailableError that keeps the cause', async (_, failure) => {
    const error = failure();
    documentClient.on(GetCommand).rejects(error);

    const outcome = await ports.work.get('wi_1').catch((caught: unknown) => caught);

    expect(outcome).toBeInstanceOf(UnavailableError);
    expect((outcome as UnavailableError).cause).toBe(error);
  });

  it('turns a throttled query into UnavailableError', async () => {
    documentClient.on(QueryCommand).rejects(throttled());

    await expect(ports.work.readyCandidates(['core'], 5)).rejects.toThrow(UnavailableError);
    await expect(ports.audit.list({ limit: 5, entityId: 'wi_1' })).rejects.toThrow(UnavailableError);
  });

  it('turns a write larger than one stored item into a ValidationError, not a server error', async () => {
    const tooLarge = Object.assign(new Error('Item size has exceeded the maximum allowed size'), {
      name: 'ValidationException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    documentClient.on(TransactWriteCommand).rejects(tooLarge);

    await expect(ports.uow.commit({ writes: [], events: [anEvent()] })).rejects.toThrow(ValidationError);
  });

  it('turns a throttled or failing commit into UnavailableError', async () => {
    documentClient.on(TransactWriteCommand).rejectsOnce(throttled()).rejectsOnce(serverFault());
    const change = { writes: [], events: [anEvent()] };

    await expect(ports.uow.commit(change)).rejects.toThrow(UnavailableError);
    await expect(ports.uow.commit(change)).rejects.toThrow(UnavailableError);
  });

  it('turns a transaction cancelled by throttling into UnavailableError', async () => {
    documentClient
      .on(TransactWriteCommand)
      .rejects(cancelled([{ Code: 'None' }, { Code: 'ThrottlingError' }]));

    await expect(
      ports.uow.commit({
        writes: [{ kind: 'work', item: aWorkItem(), expectedVersion: null }],
        events: [anEvent()],
      }),
    ).rejects.toThrow(UnavailableError);
  });

  it('reports a transaction conflict as a WriteConflict without a current record', async () => {
    const item = aWorkItem();
    documentClient
      .on(TransactWriteCommand)
      .rejects(cancelled([{ Code: 'TransactionConflict' }, { Code: 'None' }]));

    const outcome = await ports.uow
      .commit({ writes: [{ kind: 'work', item, expectedVersion: 1 }], events: [anEvent()] })
      .catch((caught: unknown) => caught);

    expect(outcome).toBeInstanceOf(WriteConflict);
    expect((outcome as WriteConflict).failed).toEqual([{ kind: 'work', id: item.id, current: undefined }]);
  });

  it('reports a transaction conflict on a token delete as unavailable, since nothing can be re-decided', async () => {
    documentClient.on(TransactWriteCommand).rejects(cancelled([{ Code: 'TransactionConflict' }]));

    await expect(
      ports.uow.commit({ writes: [{ kind: 'tokenDelete', tokenId: 'tok_1' }], events: [] }),
    ).rejects.toThrow(UnavailableError);
  });

  it('wraps a request the store refuses as a StoreError, never the raw SDK error', async () => {
    const refused = Object.assign(new Error('bad request'), {
      name: 'ValidationException',
      $fault: 'client',
    });
    documentClient.on(GetCommand).rejects(refused);

    const outcome = await ports.agents.get('agent-1').catch((caught: unknown) => caught);

    expect(outcome).toBeInstanceOf(StoreError);
    expect((outcome as StoreError).cause).toBe(refused);
  });

  it('gives up as unavailable when the store keeps leaving batch reads unprocessed', async () => {
    documentClient.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, unknown> }) => ({
      Responses: {},
      UnprocessedKeys: input.RequestItems,
    }));

    await expect(ports.work.getMany(['wi_1', 'wi_2'])).rejects.toThrow(UnavailableError);
    expect(documentClient.commandCalls(BatchGetCommand)).toHaveLength(5);
  });

  it('turns a throttled idempotency reservation into UnavailableError', async () => {
    documentClient.on(PutCommand).rejects(throttled());

    await expect(ports.idempotency.reserve('k', 'f', 1)).rejects.toThrow(UnavailableError);
  });
});

describe('requests sent', () => {
  it('sends one transaction whose every write is conditional and returns the stored record on failure', async () => {
    documentClient.on(TransactWriteCommand).resolves({});
    const item = aWorkItem({ version: 3 });
    const agent = anAgent();

    await ports.uow.commit({
      writes: [
        { kind: 'work', item, expectedVersion: 2 },
        { kind: 'agent', agent, expectedVersion: null },
        { kind: 'agentClaims', agentId: 'agent-9', delta: 1, heartbeatAt: '2026-03-02T09:00:00.000Z' },
      ],
      events: [anEvent({ entityId: item.id, seq: 3 })],
    });

    const [call] = documentClient.commandCalls(TransactWriteCommand);
    const requests = call?.args[0].input.TransactItems ?? [];
    expect(requests).toHaveLength(4);
    expect(requests[0]?.Put).toMatchObject({
      TableName: 'unit-Work',
      ConditionExpression: '#version = :v0',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':v0': 2 },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expect(requests[1]?.Put).toMatchObject({
      TableName: 'unit-Agents',
      ConditionExpression: 'attribute_not_exists(#pk)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expect(requests[2]?.Update).toMatchObject({
      TableName: 'unit-Agents',
      Key: { pk: 'AGENT#agent-9' },
      UpdateExpression:
        'SET #activeClaims = #activeClaims + :v0, #freeCapacity = #freeCapacity - :v0, #version = #version + :v1, #lastHeartbeatAt = :v2',
      ConditionExpression:
        '(attribute_exists(#pk)) AND (#freeCapacity >= :v0) AND (attribute_not_exists(#retirement))',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expect(requests[3]?.Put).toMatchObject({
      TableName: 'unit-Events',
      ConditionExpression: 'attribute_not_exists(#pk)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expect(call?.args[0].input.ClientRequestToken).toEqual(expect.any(String));
  });

  it('writes the ready index attributes of a ready item and none of the lease or holder ones', async () => {
    documentClient.on(TransactWriteCommand).resolves({});
    const item = aWorkItem({ team: 'core', urgency: 250 });

    await ports.uow.commit({ writes: [{ kind: 'work', item, expectedVersion: null }], events: [] });

    const stored =
      documentClient.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.[0]?.Put?.Item;
    expect(stored?.gsi1pk).toMatch(/^READY#core#[01]$/);
    expect(stored?.gsi3pk).toMatch(/^STATUS#ready#[0-7]$/);
    expect(stored).not.toHaveProperty('gsi2pk');
    expect(stored).not.toHaveProperty('gsi4pk');
  });

  it('queries every shard of every team once, at least the previous 4, asking each for its head of the limit', async () => {
    documentClient.on(QueryCommand).resolves({ Items: [] });

    await ports.work.readyCandidates(['core', 'web'], 7);

    const partitions = documentClient
      .commandCalls(QueryCommand)
      .map((call) => [call.args[0].input.ExpressionAttributeValues?.[':v0'], call.args[0].input.Limit]);
    // 8 partitions: each holds about 1 of the top 7, and is asked for that plus the margin.
    const head = Math.ceil(7 / 8) + HEAD_MARGIN;
    expect(partitions.sort()).toEqual([
      ...[0, 1, 2, 3].map((shard) => [`READY#core#${shard}`, head]),
      ...[0, 1, 2, 3].map((shard) => [`READY#web#${shard}`, head]),
    ]);
  });
});
