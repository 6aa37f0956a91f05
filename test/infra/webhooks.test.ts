import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { webhooksQueue } from '#adapters/sqs/queues';
import { actionsOf, liveAliasOf, logicalIdOf, synthesize } from './support/synth';

const SEND_ACTIONS = ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'];

describe('webhooks infrastructure', () => {
  const { stacks, messaging, realtime } = synthesize('dev');
  const queue = stacks.messaging.queueFor(webhooksQueue);
  const sender = stacks.messaging.consumers.get('webhooksConsumer');
  const broadcaster = stacks.realtime.streamConsumers.get('broadcaster');

  it('creates the webhooks queue with a DLQ after 8 receives, and alarms on its dead letters', () => {
    messaging.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'coord-dev-webhooks',
      VisibilityTimeout: 60,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [logicalIdOf(queue.deadLetterQueue), 'Arn'] },
        maxReceiveCount: 8,
      },
    });
    messaging.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'coord-dev-webhooks-dlq-depth' });
  });

  it('runs the sender from the queue, reporting item failures, and tells it the queue URL', () => {
    messaging.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(queue.queue), 'Arn'] },
      FunctionName: liveAliasOf(logicalIdOf(sender?.alias)),
      BatchSize: webhooksQueue.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    messaging.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 10,
      Environment: {
        Variables: Match.objectLike({ COORD_WEBHOOKS_QUEUE_URL: { Ref: logicalIdOf(queue.queue) } }),
      },
    });
  });

  it('lets the sender delay its messages (ChangeMessageVisibility) but not send to any queue', () => {
    const actions = actionsOf(messaging, logicalIdOf(sender?.function.role));

    expect([...actions]).toEqual(
      expect.arrayContaining(['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage']),
    );
    expect(actions.has('sqs:SendMessage')).toBe(false);
  });

  it('lets the broadcaster send to the webhooks queue and tells it the URL', () => {
    const actions = actionsOf(realtime, logicalIdOf(broadcaster?.handler.function.role));

    expect([...actions]).toEqual(expect.arrayContaining(SEND_ACTIONS));
    realtime.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          COORD_WEBHOOKS_QUEUE_URL: Match.objectLike({
            'Fn::ImportValue': Match.stringLikeRegexp('messaging'),
          }),
        }),
      },
    });
  });
});
