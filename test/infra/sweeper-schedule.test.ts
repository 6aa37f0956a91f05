import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { escalationsTable } from '#adapters/dynamo/tables';
import { escalationsQueue } from '#adapters/sqs/queues';
import { ROUTES, type RouteDefinition, routes } from '#functions/shared/routes';
import { sweeperSchedule } from '#functions/shared/schedules';
import { SweeperSchedule } from '../../lib/constructs/sweeper-schedule';
import { actionsOf, appWithoutBundling, logicalIdOf, stubProjectRoot, synthesize } from './support/synth';

const SEND_ACTIONS = ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'];
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'];

describe('the sweeper in the messaging stack', () => {
  const { stacks, messaging, api, data } = synthesize('dev');
  const sweeper = stacks.messaging.sweeper;
  const fn = sweeper?.handler.function;
  const alias = sweeper?.handler.alias;

  it('runs the sweep handler every minute from an EventBridge rule, retried twice, then dead-lettered', () => {
    const dlq = logicalIdOf(sweeper?.deadLetterQueue);
    messaging.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { Ref: logicalIdOf(alias) },
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
        }),
      ],
    });
    messaging.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalIdOf(fn) },
      Qualifier: { 'Fn::Select': [7, { 'Fn::Split': [':', { Ref: logicalIdOf(alias) }] }] },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlq, 'Arn'] } } },
    });
    messaging.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { Ref: logicalIdOf(alias) },
    });
  });

  it('runs one pass at a time and alarms on the first dead-lettered tick', () => {
    messaging.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 50,
      ReservedConcurrentExecutions: 1,
    });
    messaging.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'coord-dev-sweeper-dlq-depth',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(sweeper?.deadLetterQueue), 'QueueName'] } },
      ],
      Threshold: 1,
    });
  });

  it('ends a pass before the next tick and knows its stage, tables and escalations queue', () => {
    const queue = stacks.messaging.queueFor(escalationsQueue).queue;
    messaging.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 50,
      Environment: {
        Variables: Match.objectLike({
          COORD_STAGE: 'dev',
          COORD_TABLE_PREFIX: 'coord-dev',
          COORD_ESCALATIONS_QUEUE_URL: { Ref: logicalIdOf(queue) },
        }),
      },
    });
    expect(sweeperSchedule.entry).toBe('functions/scheduled/sweep.ts');
  });

  it('may read and write the tables, the escalations one too, and send to the escalations queue only', () => {
    const actions = actionsOf(messaging, logicalIdOf(fn?.role));
    expect([...actions]).toEqual(expect.arrayContaining([...WRITE_ACTIONS, ...SEND_ACTIONS]));
    expect([...actions].filter((a) => a.startsWith('sqs:')).sort()).toEqual([...SEND_ACTIONS].sort());
    const escalationsTableId = logicalIdOf(stacks.data.tableFor(escalationsTable));
    expect(JSON.stringify(messaging.toJSON().Resources)).toContain(escalationsTableId);
    data.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'coord-dev-Escalations',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    });
  });

  it('lets the routes that send escalation requests (fail, cancel, ...) send them, and tells only them the URL', () => {
    const senders = ROUTES.filter((route: RouteDefinition) => route.sends?.includes(escalationsQueue.id));
    expect(senders.map((route) => route.id)).toEqual(
      expect.arrayContaining([routes.failWork.id, routes.cancelWork.id]),
    );
    for (const route of senders) {
      const handler = stacks.api.routes.functions.get(route.id)?.function;
      expect([...actionsOf(api, logicalIdOf(handler?.role))]).toEqual(expect.arrayContaining(SEND_ACTIONS));
    }
    const withUrl = api.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { COORD_ESCALATIONS_QUEUE_URL: Match.anyValue() } } },
    });
    expect(Object.keys(withUrl).sort()).toEqual(
      senders.map((route) => logicalIdOf(stacks.api.routes.functions.get(route.id)?.function)).sort(),
    );
  });
});

describe('SweeperSchedule', () => {
  it('runs at the rate its schedule names', () => {
    // Arrange
    const stack = new Stack(appWithoutBundling(), 'Sweeper');
    const table = new Table(stack, 'T', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
    const queue = new Queue(stack, 'Q');
    // Act
    new SweeperSchedule(stack, 'Sweeper', {
      tables: [table],
      escalationsQueue: queue,
      schedule: { ...sweeperSchedule, rateMinutes: 5 },
      functionDefaults: { projectRoot: stubProjectRoot() },
    });
    // Assert
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 290 });
  });
});
