import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { connectionsTable } from '#adapters/dynamo/tables';
import { defineRoute } from '#app/route';
import { ROUTES, type RouteDefinition, routes } from '#functions/shared/routes';
import { routeArea } from '../../lib/constructs/http-routes';
import { PRE_TRAFFIC_ROUTES } from '../../lib/coord-app';
import { SERVICE_VERSION } from '../../lib/service-version';
import { ApiStack } from '../../lib/stacks/api-stack';
import {
  actionsOf,
  appWithoutBundling,
  logicalIdOf,
  statementsOf,
  stubProjectRoot,
  synthesize,
} from './support/synth';

const XRAY_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];
// Keyed reads and index queries: no Scan, no stream reads.
const READ_ACTIONS = ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'];
// Single-item writes and transaction condition checks: no BatchWriteItem (the audit log's are PutItem only).
const WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
];
const SECRET_ACTIONS = ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'];
// Routes that send to a queue (heartbeat, fail, cancel) may send to it; messaging-stack.test.ts checks which.
const queueActions = (route: RouteDefinition): string[] => [
  ...((route.sends ?? []).length > 0 ? ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'] : []),
  // The health assessment reads queue depths.
  ...(route.id === 'aiHealth' ? ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl'] : []),
];

const isPublic = (route: RouteDefinition): boolean => route.access === 'public';
const GET_ROUTES = ROUTES.filter((route) => route.method === 'GET');
const byGrant = (grants: RouteDefinition['grants']) => ROUTES.filter((route) => route.grants === grants);

describe('ApiStack', () => {
  const { stacks, api, data, templates } = synthesize('dev');
  const routeFunction = (route: RouteDefinition) => {
    const handler = stacks.api.routes.functions.get(route.id);
    if (!handler) throw new Error(`No function for route ${route.id}`);
    return handler.function;
  };
  const roleOf = (route: RouteDefinition) => logicalIdOf(routeFunction(route).role);

  it('creates one Node.js 22 arm64 function with active tracing per route, the fallback and the streamed query', () => {
    // One per route, the fallback, the streamed query and a pre-traffic hook per probed route.
    api.resourceCountIs('AWS::Lambda::Function', ROUTES.length + 2 + PRE_TRAFFIC_ROUTES.length);
    api.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
    });
  });

  it('gives a route the timeout it declares and every other route the default', () => {
    const timeoutOf = (route: RouteDefinition): unknown =>
      api.toJSON().Resources[logicalIdOf(routeFunction(route))].Properties.Timeout;

    for (const route of ROUTES as readonly RouteDefinition[]) {
      expect(timeoutOf(route), route.id).toBe(route.timeoutSeconds ?? 10);
    }
    expect(timeoutOf(ROUTES.find((route) => route.id === 'importRecords') as RouteDefinition)).toBe(29);
  });

  it('tells every function its stage, table prefix and secret ARNs', () => {
    api.allResourcesProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          COORD_STAGE: 'dev',
          COORD_TABLE_PREFIX: 'coord-dev',
          COORD_SERVICE_VERSION: SERVICE_VERSION,
          COORD_ADMIN_TOKEN_SECRET_ARN: { Ref: logicalIdOf(stacks.api.adminTokenSecret) },
          COORD_REGISTRATION_KEY_SECRET_ARN: { Ref: logicalIdOf(stacks.api.registrationKeySecret) },
          NODE_OPTIONS: '--enable-source-maps',
        }),
      },
    });
  });

  it('logs every request of the stage as JSON with request id, status, latency and integration error', () => {
    const stage = api.toJSON().Resources[logicalIdOf(stacks.api.stage)].Properties;
    expect(stage.AccessLogSettings.DestinationArn).toEqual({
      'Fn::GetAtt': [logicalIdOf(stacks.api.accessLogs), 'Arn'],
    });
    expect(JSON.parse(stage.AccessLogSettings.Format)).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
      latencyMs: '$context.responseLatency',
      integrationError: '$context.integrationErrorMessage',
    });
    api.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 14 });
  });

  it('declares one API route per route table entry, a HEAD route per GET route and the $default route', () => {
    api.resourceCountIs('AWS::ApiGatewayV2::Route', ROUTES.length + GET_ROUTES.length + 1);
  });

  /** The one integration invoking this alias, and its target as a route names it. */
  const targetOf = (alias: IConstruct | undefined) => {
    const integrations = api.findResources('AWS::ApiGatewayV2::Integration', {
      Properties: {
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: { Ref: logicalIdOf(alias) },
      },
    });
    expect(Object.keys(integrations)).toHaveLength(1);
    return { 'Fn::Join': ['', ['integrations/', { Ref: Object.keys(integrations)[0] }]] };
  };

  it.each(ROUTES)('routes $method $path to the live alias of the $id function', (route) => {
    const alias = stacks.api.routes.functions.get(route.id)?.alias;

    api.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: `${route.method} ${route.path}`,
      Target: targetOf(alias),
    });
  });

  it.each(GET_ROUTES)('routes HEAD $path to the same integration as GET $path', (route) => {
    const alias = stacks.api.routes.functions.get(route.id)?.alias;

    api.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: `HEAD ${route.path}`,
      Target: targetOf(alias),
    });
  });

  it('routes every other request ($default) to the live alias of the fallback function', () => {
    const { fallback } = stacks.api.routes;
    expect(fallback.entry).toBe('functions/http/fallback.ts');
    expect(fallback.alias).toBeDefined();

    api.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: '$default',
      Target: targetOf(fallback.alias),
    });
    api.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { Ref: logicalIdOf(fallback.alias) },
      Principal: 'apigateway.amazonaws.com',
      // Any method on any path of this API: the $default route takes whatever no route takes.
      SourceArn: { 'Fn::Join': ['', Match.arrayWith([{ Ref: logicalIdOf(stacks.api.httpApi) }, '/*/*'])] },
    });
  });

  it('gives the fallback function no table, queue or secret access', () => {
    expect([...actionsOf(api, logicalIdOf(stacks.api.routes.fallback.function.role))].sort()).toEqual(
      [...XRAY_ACTIONS].sort(),
    );
  });

  it('puts each route in the nested stack of its area and keeps the fallback in the API stack', () => {
    const { areas, fallback } = stacks.api.routes;
    expect([...areas.keys()].sort()).toEqual(
      ['admin', 'agents', 'ai', 'integrations', 'metrics', 'oversight', 'system', 'webhooks', 'work'].sort(),
    );
    for (const route of ROUTES) {
      const handler = stacks.api.routes.functions.get(route.id);
      expect(Stack.of(handler as IConstruct), route.id).toBe(areas.get(routeArea(route)));
      expect(Stack.of(stacks.api.routes.routes.get(route.id) as IConstruct)).toBe(
        areas.get(routeArea(route)),
      );
    }
    expect(routeArea(routes.health)).toBe('system');
    expect(routeArea(routes.listAudit)).toBe('oversight');
    expect(routeArea(routes.streamEvents)).toBe('oversight');
    expect(routeArea(routes.issueToken)).toBe('admin');
    expect(routeArea(routes.githubWebhook)).toBe('integrations');
    expect(routeArea(routes.createWebhook)).toBe('webhooks');
    expect(Stack.of(fallback)).toBe(stacks.api);
    // One AWS::CloudFormation::Stack per area in the API stack, whatever the number of routes.
    expect(
      Object.keys(templates.get(stacks.api)?.findResources('AWS::CloudFormation::Stack') ?? {}),
    ).toHaveLength(areas.size);
  });

  it('keeps the API stack and each area stack under 400 resources (functions.test.ts explains the headroom)', () => {
    for (const stack of [stacks.api, ...stacks.api.routes.areas.values()]) {
      const count = Object.keys(templates.get(stack)?.toJSON().Resources ?? {}).length;
      expect(count, stack.node.path).toBeGreaterThan(0);
      expect(count, stack.node.path).toBeLessThan(400);
    }
  });

  it('places a new route in its area stack, and a route of a new area in a new stack, with no CDK change', () => {
    const root = stubProjectRoot();
    const extra = (id: string, path: string): RouteDefinition => {
      const route = defineRoute({ id, method: 'GET', path, access: ['admin'], summary: id, grants: 'read' });
      mkdirSync(dirname(join(root, route.entry)), { recursive: true });
      writeFileSync(join(root, route.entry), 'export const handler = async () => ({ statusCode: 204 });\n');
      return route;
    };
    const listClaims = extra('listClaims', '/v1/work/{id}/claims');
    const listSamples = extra('listSamples', '/v1/metrics/samples');
    const app = appWithoutBundling();
    const table = new Table(new Stack(app, 'Tables'), 'Work', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
    });
    const stack = new ApiStack(app, 'Api', {
      stage: 'dev',
      tablePrefix: 'coord-dev',
      tables: [table],
      routes: [routes.getWork, listClaims, routes.health, listSamples],
      functionDefaults: { projectRoot: root },
    });

    expect([...stack.routes.areas.keys()]).toEqual(['work', 'system', 'metrics']);
    const work = stack.routes.areas.get('work') as Stack;
    expect(Stack.of(stack.routes.functions.get('listClaims') as IConstruct)).toBe(work);
    expect(Stack.of(stack.routes.functions.get('listSamples') as IConstruct)).toBe(
      stack.routes.areas.get('metrics'),
    );
    Template.fromStack(work).hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'GET /v1/work/{id}/claims',
    });
  });

  it('sends no CORS origins to the functions by default', () => {
    expect(JSON.stringify(api.toJSON())).not.toContain('COORD_CORS_ORIGINS');
  });

  it('tells every HTTP function, the fallback included, the CORS origins its stage configures', () => {
    const { api: withCors } = synthesize('dev', { corsOrigins: ['https://a.example', 'https://b.example'] });

    withCors.resourceCountIs('AWS::Lambda::Function', ROUTES.length + 2 + PRE_TRAFFIC_ROUTES.length);
    withCors.allResourcesProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ COORD_CORS_ORIGINS: 'https://a.example,https://b.example' }),
      },
    });
  });

  it.each(byGrant('read'))(
    'gives the read-only $id function read actions only (and, when it authenticates, the token-use record)',
    (route) => {
      // An authenticated route records its token's last use: UpdateItem, narrowed by IAM
      // conditions to token records and one attribute (least-privilege.test.ts checks them).
      const authenticated = isPublic(route) ? [] : [...SECRET_ACTIONS, 'dynamodb:UpdateItem'];

      expect([...actionsOf(api, roleOf(route))].sort()).toEqual(
        [...XRAY_ACTIONS, ...READ_ACTIONS, ...authenticated].sort(),
      );
    },
  );

  it.each(byGrant('readWrite'))('gives the $id function read and write actions', (route) => {
    expect([...actionsOf(api, roleOf(route))].sort()).toEqual(
      [...XRAY_ACTIONS, ...READ_ACTIONS, ...WRITE_ACTIONS, ...SECRET_ACTIONS, ...queueActions(route)].sort(),
    );
  });

  it('grants no function access to the Connections table', () => {
    const connections = logicalIdOf(stacks.data.tableFor(connectionsTable));

    expect(JSON.stringify(api.toJSON())).not.toContain(connections);
  });

  it('imports the table ARNs through CloudFormation exports of the data stack', () => {
    const exported = Object.values(
      data.findOutputs('*', { Export: { Name: Match.stringLikeRegexp('^coord-dev-data:') } }),
    );

    expect(exported.length).toBeGreaterThan(0);
    expect(JSON.stringify(api.toJSON())).toContain('{"Fn::ImportValue":"coord-dev-data:');
  });

  it('creates the admin token and the registration key as generated secrets; the Anthropic key is the data stack’s', () => {
    api.resourceCountIs('AWS::SecretsManager::Secret', 2);
    api.resourcePropertiesCountIs(
      'AWS::SecretsManager::Secret',
      { GenerateSecretString: Match.objectLike({ ExcludePunctuation: true, PasswordLength: 48 }) },
      2,
    );
    api.resourceCountIs('AWS::SecretsManager::ResourcePolicy', 0);
    expect(stacks.api.anthropicApiKeySecret).toBe(stacks.data.anthropicApiKeySecret);
  });

  /** The roles with a policy statement on any of these resources (each as its JSON). */
  const rolesOnResources = (resources: ReadonlySet<string>): string[] =>
    Object.values(api.findResources('AWS::IAM::Policy'))
      .map(
        (policy) =>
          policy as {
            Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: { Resource: unknown }[] } };
          },
      )
      .filter((policy) =>
        policy.Properties.PolicyDocument.Statement.some((statement) =>
          resources.has(JSON.stringify(statement.Resource)),
        ),
      )
      .flatMap((policy) => policy.Properties.Roles.map((role) => role.Ref));

  it('lets only the AI routes and the streamed query read the Anthropic key, and tells them where it is', () => {
    const functions = api.findResources('AWS::Lambda::Function');
    const withKey = Object.values(functions)
      .map(
        (fn) =>
          fn as {
            Properties: {
              Role: { 'Fn::GetAtt': [string] };
              Environment: { Variables: Record<string, unknown> };
            };
          },
      )
      .filter((fn) => fn.Properties.Environment.Variables.ANTHROPIC_API_KEY_SECRET_ARN !== undefined);
    const aiRoutes = ROUTES.filter((route) => route.tag === 'ai');
    expect(aiRoutes).toHaveLength(4);
    const streamRole = logicalIdOf(stacks.api.aiQueryStream?.handler.function.role);
    expect(withKey.map((fn) => fn.Properties.Role['Fn::GetAtt'][0]).sort()).toEqual(
      [...aiRoutes.map(roleOf), streamRole].sort(),
    );
    const keyArns = new Set(
      withKey.map((fn) => JSON.stringify(fn.Properties.Environment.Variables.ANTHROPIC_API_KEY_SECRET_ARN)),
    );
    // Each of them may read the secret its variable names, and no other role may read any of those.
    for (const fn of withKey) {
      const arn = JSON.stringify(fn.Properties.Environment.Variables.ANTHROPIC_API_KEY_SECRET_ARN);
      const onKey = statementsOf(api, fn.Properties.Role['Fn::GetAtt'][0]).filter(
        (statement) => JSON.stringify(statement.Resource) === arn,
      );
      expect(onKey.flatMap((statement) => [statement.Action].flat()).sort()).toEqual(
        [...SECRET_ACTIONS].sort(),
      );
    }
    expect(new Set(rolesOnResources(keyArns))).toEqual(new Set([...aiRoutes.map(roleOf), streamRole]));
  });

  it('lets only the GitHub route read the GitHub webhook secret, and tells only it where the secret is', () => {
    const github = routes.githubWebhook;
    const withVariable = Object.entries(api.findResources('AWS::Lambda::Function')).filter(
      ([, fn]) => fn.Properties.Environment.Variables.COORD_GITHUB_WEBHOOK_SECRET_ARN !== undefined,
    );
    const arn = JSON.stringify(
      withVariable[0]?.[1].Properties.Environment.Variables.COORD_GITHUB_WEBHOOK_SECRET_ARN,
    );
    const readers = rolesOnResources(new Set([arn]));

    expect(github.signedBy).toBe('github');
    expect(withVariable.map(([id]) => id)).toEqual([logicalIdOf(routeFunction(github))]);
    expect(arn).toContain('GithubWebhookSecret');
    expect(readers).toEqual([roleOf(github)]);
    const onSecret = statementsOf(api, roleOf(github)).filter(
      (statement) => JSON.stringify(statement.Resource) === arn,
    );
    expect(onSecret.flatMap((statement) => [statement.Action].flat()).sort()).toEqual(
      [...SECRET_ACTIONS].sort(),
    );
  });

  it('lets only the health assessment read the depth of each queue and its dead-letter queue', () => {
    const readers = Object.values(api.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy).includes(':coord-dev-heartbeats-dlq'))
      .flatMap((policy) => (policy as { Properties: { Roles: { Ref: string }[] } }).Properties.Roles)
      .map((role) => role.Ref);
    const statement = JSON.stringify(
      Object.values(api.findResources('AWS::IAM::Policy')).filter((policy) =>
        JSON.stringify(policy).includes(':coord-dev-heartbeats-dlq'),
      ),
    );

    expect(readers).toEqual(ROUTES.filter((route) => route.id === 'aiHealth').map(roleOf));
    for (const name of ['heartbeats', 'heartbeats-dlq', 'escalations', 'escalations-dlq']) {
      expect(statement).toContain(`:coord-dev-${name}`);
    }
  });

  it.each([
    ['admin token', () => stacks.api.adminTokenSecret],
    ['registration key', () => stacks.api.registrationKeySecret],
  ] as const)('lets only the functions of authenticated routes read the %s', (_name, secret) => {
    const secretRef = { Ref: logicalIdOf(secret()) };
    const readers = Object.values(api.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy).includes(JSON.stringify(secretRef)))
      .flatMap((policy) => (policy as { Properties: { Roles: { Ref: string }[] } }).Properties.Roles)
      .map((role) => role.Ref)
      .sort();

    expect(readers).toEqual(
      [
        ...ROUTES.filter((route) => !isPublic(route)).map(roleOf),
        logicalIdOf(stacks.api.aiQueryStream?.handler.function.role),
      ].sort(),
    );
    for (const role of readers) {
      const onSecret = statementsOf(api, role).filter(
        (s) => JSON.stringify(s.Resource) === JSON.stringify(secretRef),
      );
      expect(onSecret.flatMap((s) => [s.Action].flat()).sort()).toEqual([...SECRET_ACTIONS].sort());
    }
  });

  it('destroys the log groups and secrets with a stack outside production', () => {
    api.allResources('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
    api.allResources('AWS::SecretsManager::Secret', { DeletionPolicy: 'Delete' });
  });

  it('throttles the default stage', () => {
    api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
    });
  });

  it('outputs the API URL and the secret ARNs', () => {
    api.hasOutput('ApiUrl', {
      Value: { 'Fn::Join': ['', Match.arrayWith(['https://', { Ref: logicalIdOf(stacks.api.httpApi) }])] },
    });
    api.hasOutput('AdminTokenSecretArn', { Value: { Ref: logicalIdOf(stacks.api.adminTokenSecret) } });
    api.hasOutput('RegistrationKeySecretArn', {
      Value: { Ref: logicalIdOf(stacks.api.registrationKeySecret) },
    });
    api.hasOutput('AnthropicApiKeySecretArn', {
      Value: Match.objectLike({ 'Fn::ImportValue': Match.anyValue() }),
    });
  });

  it('serves the streamed query from a function URL: response streaming, no IAM auth, its own output', () => {
    const stream = stacks.api.aiQueryStream;
    expect(stream?.handler.entry).toBe('functions/url/ai-query.ts');
    api.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      InvokeMode: 'RESPONSE_STREAM',
      TargetFunctionArn: Match.anyValue(),
    });
    api.resourceCountIs('AWS::Lambda::Url', 1);
    api.hasOutput('AiQueryStreamUrl', { Value: { 'Fn::GetAtt': [logicalIdOf(stream?.url), 'FunctionUrl'] } });
    const fn = api.toJSON().Resources[logicalIdOf(stream?.handler.function)].Properties;
    expect(fn.Timeout).toBe(120);
    expect(Object.keys(fn.Environment.Variables)).toEqual(
      expect.arrayContaining([
        'COORD_TABLE_PREFIX',
        'COORD_ADMIN_TOKEN_SECRET_ARN',
        'ANTHROPIC_API_KEY_SECRET_ARN',
      ]),
    );
    const actions = actionsOf(api, logicalIdOf(stream?.handler.function.role));
    expect([...actions].sort()).toEqual(
      [...XRAY_ACTIONS, ...READ_ACTIONS, ...WRITE_ACTIONS, ...SECRET_ACTIONS].sort(),
    );
  });
});
