import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { TABLES } from '#adapters/dynamo/tables';
import { CONSUMERS } from '#functions/shared/consumers';
import { routes } from '#functions/shared/routes';
import { stageConfig } from '../../lib/stage-config';
import { logicalIdOf, statementsOf, synthesize } from './support/synth';

describe('the stage config of prod', () => {
  const config = stageConfig('prod');
  const { stacks, api, messaging } = synthesize('prod');
  const routeFunction = (id: string) =>
    api.toJSON().Resources[logicalIdOf(stacks.api.routes.functions.get(id)?.function)];

  it('gives functions the memory and reserved concurrency it sets, and the default memory to the rest', () => {
    expect(config.functions['http/claim-next']).toEqual({ memoryMiB: 1024, reservedConcurrency: 100 });
    expect(routeFunction(routes.claimNext.id).Properties).toMatchObject({
      MemorySize: 1024,
      ReservedConcurrentExecutions: 100,
    });
    expect(routeFunction(routes.getWork.id).Properties.MemorySize).toBe(config.defaultMemoryMiB);
    expect(routeFunction(routes.getWork.id).Properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('keeps function logs as long as it says', () => {
    api.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    messaging.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('throttles the HTTP API at its rates', () => {
    api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 8000, ThrottlingBurstLimit: 5000 },
    });
  });

  it('caps every queue consumer at its maxConcurrency', () => {
    const mappings = messaging.findResources('AWS::Lambda::EventSourceMapping', {
      Properties: { ScalingConfig: { MaximumConcurrency: config.queueConsumerMaxConcurrency } },
    });
    expect(Object.keys(mappings)).toHaveLength(CONSUMERS.length);
  });

  it('subscribes its alarm contacts to the alarm topic', () => {
    for (const email of config.alarmEmails) {
      messaging.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: email,
        TopicArn: { Ref: logicalIdOf(stacks.messaging.alarms.topic) },
      });
    }
    expect(config.alarmEmails.length).toBeGreaterThan(0);
  });
});

describe('switching a stage to restored tables', () => {
  const restoredPrefix = 'coord-prod-r20261204';
  const streamArn =
    'arn:aws:dynamodb:eu-west-1:123456789012:table/coord-prod-r20261204-Events/stream/2026-12-04T10:00:00.000';
  const { data, api, messaging, realtime } = synthesize('prod', {
    tablePrefix: restoredPrefix,
    tableSource: { kind: 'import', streamArns: { Events: streamArn } },
  });

  it('creates no tables, yet keeps backing up the restored ones', () => {
    data.resourceCountIs('AWS::DynamoDB::Table', 0);
    const selection = JSON.stringify(data.findResources('AWS::Backup::BackupSelection'));
    for (const definition of TABLES) expect(selection).toContain(`table/${restoredPrefix}-${definition.id}`);
  });

  it('points every function at the restored tables by prefix', () => {
    for (const template of [api, messaging, realtime]) {
      template.allResourcesProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ COORD_TABLE_PREFIX: restoredPrefix }) },
      });
      // Only the Anthropic key and GitHub webhook secrets still come from the data stack; no table does.
      const fromData = JSON.stringify(template.toJSON()).match(/coord-prod-data:\w+/g) ?? [];
      expect(fromData.filter((name) => !/AnthropicApiKey|GithubWebhookSecret/.test(name))).toEqual([]);
    }
  });

  it('grants on the restored tables and their indexes', () => {
    const role = Object.keys(api.findResources('AWS::IAM::Role'))[0] ?? '';
    const resources = JSON.stringify(statementsOf(api, role).map((statement) => statement.Resource));
    expect(resources).toContain(`:table/${restoredPrefix}-Work"`);
    expect(resources).toContain(`:table/${restoredPrefix}-Work/index/ready"`);
    expect(resources).not.toContain('/index/*');
  });

  it('reads the restored Events stream', () => {
    realtime.allResourcesProperties('AWS::Lambda::EventSourceMapping', { EventSourceArn: streamArn });
  });

  it('fails when a streaming table is imported without its stream ARN', () => {
    expect(() =>
      synthesize('prod', { tablePrefix: restoredPrefix, tableSource: { kind: 'import', streamArns: {} } }),
    ).toThrow(/Imported table Events streams: give its stream ARN in the stage config/);
  });
});
