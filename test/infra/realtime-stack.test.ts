import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { connectionsTable, eventsTable, metaTable, TABLES } from '#adapters/dynamo/tables';
import { STREAM_CONSUMERS } from '#functions/shared/streams';
import { WS_ROUTE_SELECTION, WS_ROUTES } from '#functions/shared/ws-routes';
import { MANAGEMENT_ENDPOINT_VARIABLE, WS_STAGE_NAME } from '../../lib/stacks/realtime-stack';
import { actionsOf, liveAliasOf, logicalIdOf, statementsOf, synthesize } from './support/synth';

const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'];
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem'];

describe('RealtimeStack', () => {
  const { stacks, realtime, data, api } = synthesize('dev');
  const stack = stacks.realtime;
  const apiId = logicalIdOf(stack.webSocketApi);
  const wsFunction = (id: string) => stack.routes.functions.get(id)?.function;
  const consumerFunction = (id: string) => stack.streamConsumers.get(id)?.handler.function;
  const endpointOf = (scheme: string) => ({
    'Fn::Join': [
      '',
      [
        `${scheme}://`,
        { Ref: apiId },
        '.execute-api.',
        { Ref: 'AWS::Region' },
        '.',
        { Ref: 'AWS::URLSuffix' },
        `/${WS_STAGE_NAME}`,
      ],
    ],
  });
  const tableArn = (id: string) => {
    const table = stacks.data.tables.get(id);
    return JSON.stringify(realtime.toJSON()).includes(logicalIdOf(table));
  };

  it('routes messages by their action', () => {
    realtime.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      Name: 'coord-dev-ws',
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: WS_ROUTE_SELECTION,
    });
    expect(WS_ROUTE_SELECTION).toBe('$request.body.action');
  });

  it('declares one route per route key of ws-routes.ts, each on its handler, $connect without an authorizer', () => {
    const routeKeys = WS_ROUTES.flatMap((route) => route.routeKeys);
    realtime.resourceCountIs('AWS::ApiGatewayV2::Route', routeKeys.length);
    realtime.resourceCountIs('AWS::ApiGatewayV2::Integration', WS_ROUTES.length);
    realtime.allResourcesProperties('AWS::ApiGatewayV2::Integration', { IntegrationType: 'AWS_PROXY' });
    for (const route of WS_ROUTES) {
      for (const routeKey of route.routeKeys) {
        realtime.hasResourceProperties('AWS::ApiGatewayV2::Route', {
          ApiId: { Ref: apiId },
          RouteKey: routeKey,
          AuthorizationType: 'NONE',
          Target: Match.anyValue(),
        });
      }
    }
    expect(routeKeys).toEqual(
      expect.arrayContaining([
        '$connect',
        '$disconnect',
        '$default',
        'subscribe',
        'unsubscribe',
        'ping',
        'ask',
      ]),
    );
  });

  it('points every route key of a handler at that handler', () => {
    const resources = realtime.toJSON().Resources as Record<
      string,
      { Type: string; Properties: Record<string, unknown> }
    >;
    const integrationOf = (routeKey: string) => {
      const route = Object.values(resources).find(
        (resource) =>
          resource.Type === 'AWS::ApiGatewayV2::Route' && resource.Properties.RouteKey === routeKey,
      );
      return JSON.stringify(route?.Properties.Target);
    };
    for (const route of WS_ROUTES) {
      const integrationId = integrationOf(route.routeKeys[0] ?? '');
      const integration = Object.entries(resources).find(([id]) => integrationId.includes(id));
      const alias = logicalIdOf(stack.routes.functions.get(route.id)?.alias);
      expect(JSON.stringify(integration?.[1].Properties.IntegrationUri)).toContain(`{"Ref":"${alias}"}`);
      for (const routeKey of route.routeKeys) expect(integrationOf(routeKey)).toBe(integrationId);
    }
  });

  it('answers client messages through route responses, but not the connection life cycle', () => {
    realtime.resourceCountIs(
      'AWS::ApiGatewayV2::RouteResponse',
      WS_ROUTES.flatMap((route) => route.routeKeys).filter(
        (key) => key !== '$connect' && key !== '$disconnect',
      ).length,
    );
  });

  it('throttles its one auto-deployed stage', () => {
    realtime.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: { Ref: apiId },
      StageName: WS_STAGE_NAME,
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
    });
  });

  it.each(WS_ROUTES)('gives $id its stage, tables, secrets and the management endpoint', (route) => {
    const fn = wsFunction(route.id);
    expect(realtime.toJSON().Resources[logicalIdOf(fn)].Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      TracingConfig: { Mode: 'Active' },
      Environment: {
        Variables: {
          COORD_STAGE: 'dev',
          COORD_TABLE_PREFIX: 'coord-dev',
          COORD_ADMIN_TOKEN_SECRET_ARN: { 'Fn::ImportValue': expect.stringMatching(/AdminToken/) },
          COORD_REGISTRATION_KEY_SECRET_ARN: { 'Fn::ImportValue': expect.stringMatching(/RegistrationKey/) },
          [MANAGEMENT_ENDPOINT_VARIABLE]: endpointOf('https'),
        },
      },
    });
    const actions = actionsOf(realtime, logicalIdOf(fn?.role));
    expect([...actions]).toEqual(
      expect.arrayContaining([
        ...READ_ACTIONS,
        ...WRITE_ACTIONS,
        'secretsmanager:GetSecretValue',
        'execute-api:ManageConnections',
      ]),
    );
  });

  it.each(WS_ROUTES)('lets $id write only the Connections table (and wsMessage the Meta table)', (route) => {
    const statements = statementsOf(realtime, logicalIdOf(wsFunction(route.id)?.role));
    const writes = statements.filter((statement) => [statement.Action].flat().includes('dynamodb:PutItem'));
    // `ask` keeps the shared AI gate (rate limit, breaker, budget) in the Meta table.
    const written = route.id === 'wsMessage' ? [connectionsTable, metaTable] : [connectionsTable];
    expect(writes).toHaveLength(written.length);
    const resources = JSON.stringify(writes.map((write) => write.Resource));
    for (const table of written) expect(resources).toContain(logicalIdOf(stacks.data.tableFor(table)));
  });

  it('grants ManageConnections on this API only', () => {
    const statements = statementsOf(realtime, logicalIdOf(wsFunction('wsMessage')?.role));
    const manage = statements.find((statement) => statement.Action === 'execute-api:ManageConnections');
    expect(JSON.stringify(manage?.Resource)).toContain(`{"Ref":"${apiId}"}`);
    expect(JSON.stringify(manage?.Resource)).toMatch(/@connections\/\*"\]\]\}$/);
  });

  it('reads every table it needs from the data stack', () => {
    for (const definition of TABLES) expect(tableArn(definition.id)).toBe(true);
    data.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'coord-dev-Connections',
      TimeToLiveSpecification: { AttributeName: connectionsTable.ttlAttribute, Enabled: true },
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'byChannel' })],
    });
  });

  it.each(STREAM_CONSUMERS)(
    'feeds $id from the $table.id stream, bisecting, retrying $retryAttempts times, then to its failure queue',
    (definition) => {
      const consumer = stack.streamConsumers.get(definition.id);
      realtime.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: liveAliasOf(logicalIdOf(stack.streamConsumers.get(definition.id)?.handler.alias)),
        EventSourceArn: { 'Fn::ImportValue': Match.stringLikeRegexp('StreamArn') },
        StartingPosition: 'LATEST',
        BatchSize: definition.batchSize,
        MaximumBatchingWindowInSeconds: definition.maxBatchingWindowSeconds ?? 0,
        MaximumRetryAttempts: definition.retryAttempts,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: {
          OnFailure: { Destination: { 'Fn::GetAtt': [logicalIdOf(consumer?.failureQueue), 'Arn'] } },
        },
      });
      realtime.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: `coord-dev-${definition.id}-failures`,
        MessageRetentionPeriod: 14 * 24 * 3600,
        SqsManagedSseEnabled: true,
      });
      realtime.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `coord-dev-${definition.id}-dlq-depth`,
        Threshold: 1,
        AlarmActions: [{ 'Fn::ImportValue': Match.stringLikeRegexp('messaging') }],
      });
    },
  );

  it('passes only inserted audit events of the Events table to its consumers', () => {
    const mappings = Object.values(
      realtime.findResources('AWS::Lambda::EventSourceMapping', {
        Properties: { EventSourceArn: Match.anyValue() },
      }),
    ) as { Properties: { FilterCriteria: { Filters: { Pattern: string }[] } } }[];
    const eventsConsumers = STREAM_CONSUMERS.filter((consumer) => consumer.table.id === eventsTable.id);
    expect(mappings).toHaveLength(STREAM_CONSUMERS.length);
    expect(eventsConsumers.length).toBeGreaterThan(0);
    for (const mapping of mappings) {
      const patterns = mapping.Properties.FilterCriteria.Filters.map((filter) => JSON.parse(filter.Pattern));
      expect(patterns).toEqual([
        { eventName: ['INSERT'], dynamodb: { NewImage: { pk: { S: [{ prefix: 'ENTITY#' }] } } } },
      ]);
    }
  });

  it.each(STREAM_CONSUMERS)('lets $id read the stream, the tables, and post to connections', (definition) => {
    const actions = actionsOf(realtime, logicalIdOf(consumerFunction(definition.id)?.role));
    expect([...actions]).toEqual(
      expect.arrayContaining([
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:DescribeStream',
        ...READ_ACTIONS,
        'execute-api:ManageConnections',
        'sqs:SendMessage',
      ]),
    );
    realtime.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          COORD_TABLE_PREFIX: 'coord-dev',
          [MANAGEMENT_ENDPOINT_VARIABLE]: Match.anyValue(),
        }),
      },
    });
  });

  it('outputs the WebSocket URL', () => {
    realtime.hasOutput('WebSocketUrl', {
      Value: endpointOf('wss'),
    });
    // The HTTP API keeps its own functions: none of them is a WebSocket handler.
    expect(JSON.stringify(api.toJSON())).not.toContain(MANAGEMENT_ENDPOINT_VARIABLE);
  });
});
