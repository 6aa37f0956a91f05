import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { escalationsQueue, heartbeatsQueue, QUEUES } from '#adapters/sqs/queues';
import { CONSUMERS } from '#functions/shared/consumers';
import { routes } from '#functions/shared/routes';
import { QueueWithDlq } from '../../lib/constructs/queue-with-dlq';
import { actionsOf, appWithoutBundling, liveAliasOf, logicalIdOf, synthesize } from './support/synth';

const SEND_ACTIONS = ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'];
const CONSUME_ACTIONS = [
  'sqs:ReceiveMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueUrl',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
];

describe('MessagingStack', () => {
  const { stacks, messaging, api } = synthesize('dev');
  const queueIdOf = (id: string) => logicalIdOf(stacks.messaging.queues.get(id)?.queue);
  const dlqIdOf = (id: string) => logicalIdOf(stacks.messaging.queues.get(id)?.deadLetterQueue);

  it('creates every queue and its DLQ, named after the stage, and the sweeper DLQ', () => {
    messaging.resourceCountIs('AWS::SQS::Queue', QUEUES.length * 2 + 1);
    messaging.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'coord-dev-sweeper-dlq' });
    for (const definition of QUEUES) {
      messaging.hasResourceProperties('AWS::SQS::Queue', { QueueName: `coord-dev-${definition.id}` });
      messaging.hasResourceProperties('AWS::SQS::Queue', { QueueName: `coord-dev-${definition.id}-dlq` });
    }
  });

  it.each(QUEUES)(
    'redrives $id to its DLQ after $maxReceiveCount receives, with its timings',
    (definition) => {
      messaging.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: `coord-dev-${definition.id}`,
        VisibilityTimeout: definition.visibilityTimeoutSeconds,
        MessageRetentionPeriod: definition.retentionPeriodSeconds,
        SqsManagedSseEnabled: true,
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': [dlqIdOf(definition.id), 'Arn'] },
          maxReceiveCount: definition.maxReceiveCount,
        },
      });
      messaging.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: `coord-dev-${definition.id}-dlq`,
        MessageRetentionPeriod: definition.dlqRetentionPeriodSeconds,
      });
    },
  );

  it.each(QUEUES)('alarms on the first message in the $id DLQ, notifying the alarm topic', (definition) => {
    const topic = { Ref: logicalIdOf(stacks.messaging.alarms.topic) };
    messaging.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `coord-dev-${definition.id}-dlq-depth`,
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqIdOf(definition.id), 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topic],
      OKActions: [topic],
    });
  });

  it.each(CONSUMERS)(
    'feeds the live alias of $id from its queue in batches that report item failures',
    (consumer) => {
      const fn = stacks.messaging.consumers.get(consumer.id)?.function;
      messaging.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [queueIdOf(consumer.queue.id), 'Arn'] },
        FunctionName: liveAliasOf(logicalIdOf(stacks.messaging.consumers.get(consumer.id)?.alias)),
        BatchSize: consumer.queue.batchSize,
        MaximumBatchingWindowInSeconds: consumer.queue.maxBatchingWindowSeconds,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      messaging.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: Match.absent(),
        Timeout: consumer.queue.visibilityTimeoutSeconds / 6,
        Environment: { Variables: Match.objectLike({ COORD_STAGE: 'dev', COORD_TABLE_PREFIX: 'coord-dev' }) },
      });
      const actions = actionsOf(messaging, logicalIdOf(fn?.role));
      expect([...actions]).toEqual(expect.arrayContaining(CONSUME_ACTIONS));
      expect([...actions].filter((action) => action.startsWith('sqs:')).sort()).toEqual(
        [...CONSUME_ACTIONS].sort(),
      );
    },
  );

  it('runs the heartbeats consumer in batches of 100 gathered for up to 1 s', () => {
    messaging.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueIdOf(heartbeatsQueue.id), 'Arn'] },
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('lets only the heartbeat route send to the heartbeats queue and tells it the URL', () => {
    const heartbeat = stacks.api.routes.functions.get(routes.heartbeat.id);
    const other = stacks.api.routes.functions.get(routes.getAgent.id);
    const queueUrl = Match.objectLike({ 'Fn::ImportValue': Match.stringLikeRegexp('messaging') });

    api.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ COORD_HEARTBEATS_QUEUE_URL: queueUrl }) },
    });
    expect(
      Object.keys(
        api.findResources('AWS::Lambda::Function', {
          Properties: { Environment: { Variables: { COORD_HEARTBEATS_QUEUE_URL: Match.anyValue() } } },
        }),
      ),
    ).toEqual([logicalIdOf(heartbeat?.function)]);
    expect([...actionsOf(api, logicalIdOf(heartbeat?.function.role))]).toEqual(
      expect.arrayContaining(SEND_ACTIONS),
    );
    expect([...actionsOf(api, logicalIdOf(other?.function.role))].some((a) => a.startsWith('sqs:'))).toBe(
      false,
    );
  });

  it('exposes the escalations queue, so its producers and consumer can be wired to it', () => {
    const escalations = stacks.messaging.queueFor(escalationsQueue);

    messaging.hasResource('AWS::SQS::Queue', {
      Properties: Match.objectLike({ QueueName: 'coord-dev-escalations' }),
      DeletionPolicy: 'Delete',
    });
    expect(messaging.toJSON().Resources[logicalIdOf(escalations.queue)].Properties.QueueName).toBe(
      'coord-dev-escalations',
    );
    expect(() => stacks.messaging.queueFor({ ...escalationsQueue, id: 'nonesuch' })).toThrow(
      /no queue nonesuch/,
    );
  });

  it('keeps the queues of a production stage when its stack is deleted', () => {
    const prod = synthesize('prod');

    prod.messaging.allResources('AWS::SQS::Queue', { DeletionPolicy: 'Retain' });
  });
});

describe('QueueWithDlq', () => {
  const aFunction = (stack: Stack, timeoutSeconds: number) =>
    new LambdaFunction(stack, 'Consumer', {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('export const handler = async () => ({ batchItemFailures: [] });'),
      timeout: Duration.seconds(timeoutSeconds),
    });

  it('fails when the consumer may outlast the visibility timeout', () => {
    const stack = new Stack(appWithoutBundling(), 'Queues');
    const queue = new QueueWithDlq(stack, 'Q', { definition: heartbeatsQueue, namePrefix: 'coord-test' });

    expect(() => queue.addConsumer(aFunction(stack, heartbeatsQueue.visibilityTimeoutSeconds + 1))).toThrow(
      /exceeds the visibility timeout/,
    );
  });

  it('fails for a batch over 10 without a batching window, which Lambda refuses', () => {
    const stack = new Stack(appWithoutBundling(), 'Queues');
    const definition = { ...heartbeatsQueue, batchSize: 11, maxBatchingWindowSeconds: 0 };

    expect(() => new QueueWithDlq(stack, 'Q', { definition, namePrefix: 'coord-test' })).toThrow(
      /needs a batching window/,
    );
  });

  it('enforces TLS on both queues', () => {
    const stack = new Stack(appWithoutBundling(), 'Queues');
    new QueueWithDlq(stack, 'Q', { definition: heartbeatsQueue, namePrefix: 'coord-test' });

    Template.fromStack(stack).resourcePropertiesCountIs(
      'AWS::SQS::QueuePolicy',
      {
        PolicyDocument: {
          Statement: [
            Match.objectLike({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ],
        },
      },
      2,
    );
  });
});
