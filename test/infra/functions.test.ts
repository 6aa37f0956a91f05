import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { METRICS_NAMESPACE, SERVICE_NAME } from '#functions/shared/observability';
import { ROUTES } from '#functions/shared/routes';
import { CoordFunction, functionAlarmName, LIVE_ALIAS } from '../../lib/constructs/coord-function';
import { FALLBACK_ENTRY } from '../../lib/constructs/http-routes';
import { stageConfig } from '../../lib/stage-config';
import { buildStacks, logicalIdOf, synthesize } from './support/synth';

describe('every function of stage dev', () => {
  const app = synthesize('dev');
  const { stacks, templates } = app;
  // The API's route functions live in nested stacks, one per route area: their parents find them too.
  const functions = [stacks.messaging, stacks.api, stacks.realtime].flatMap((stack) =>
    stack.node.findAll().filter((construct) => construct instanceof CoordFunction),
  );
  const cases = functions.map((fn) => ({ entry: fn.entry, fn }));
  const templateOf = (fn: CoordFunction): Template => {
    const template = templates.get(Stack.of(fn));
    if (!template) throw new Error(`No template for ${fn.node.path}`);
    return template;
  };
  const topic = stacks.messaging.alarms.topic;
  const topicRef = (fn: CoordFunction) =>
    Stack.of(fn) === stacks.messaging
      ? { Ref: logicalIdOf(topic) }
      : { 'Fn::ImportValue': Match.stringLikeRegexp('coord-dev-messaging') };

  it('covers the HTTP routes, queue consumers, sweeper, WebSocket handlers, stream consumers and function URLs', () => {
    const kinds = new Set(functions.map((fn) => fn.entry.split('/')[1]));
    expect([...kinds].sort()).toEqual(['http', 'queues', 'scheduled', 'streams', 'url', 'ws']);
  });

  it.each(cases)('traces $entry and keeps its logs two weeks', ({ fn }) => {
    const template = templateOf(fn);
    expect(template.toJSON().Resources[logicalIdOf(fn.function)].Properties).toMatchObject({
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogGroup: { Ref: logicalIdOf(fn.logGroup) } },
    });
    expect(template.toJSON().Resources[logicalIdOf(fn.logGroup)].Properties.RetentionInDays).toBe(14);
  });

  it.each(cases)('alarms on errors and throttles of $entry, notifying the alarm topic', ({ fn }) => {
    for (const [kind, metric] of [
      ['errors', 'Errors'],
      ['throttles', 'Throttles'],
    ] as const) {
      templateOf(fn).hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `coord-dev-${functionAlarmName(fn.entry)}-${kind}`,
        Namespace: 'AWS/Lambda',
        MetricName: metric,
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(fn.function) } }],
        Threshold: 1,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        AlarmActions: [topicRef(fn)],
      });
    }
  });

  const routeCases = ROUTES.map((route) => ({ id: route.id, fn: stacks.api.routes.functions.get(route.id) }));

  it('knows the route of every HTTP route function and of no other function', () => {
    expect(routeCases.every(({ id, fn }) => fn?.httpRoute === id)).toBe(true);
    const routeFunctions = new Set(routeCases.map(({ fn }) => fn));
    expect(functions.filter((fn) => fn.httpRoute !== undefined && !routeFunctions.has(fn))).toEqual([]);
  });

  it.each(routeCases)(
    'alarms on the first 5xx answer of route $id in a minute, as the HTTP chain counts them',
    ({ id, fn }) => {
      if (!fn) throw new Error(`No function for route ${id}`);
      // The HTTP chain (functions/shared/http.ts) counts each answer as http<class>xx with the route's id.
      templateOf(fn).hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `coord-dev-${functionAlarmName(fn.entry)}-5xx`,
        Namespace: METRICS_NAMESPACE,
        MetricName: 'http5xx',
        Dimensions: Match.arrayEquals([
          { Name: 'route', Value: id },
          { Name: 'service', Value: SERVICE_NAME },
        ]),
        Statistic: 'Sum',
        Period: 60,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
        AlarmActions: [topicRef(fn)],
        OKActions: [topicRef(fn)],
      });
    },
  );

  it.each(cases)(
    'deploys $entry through its live alias as a 10 % canary rolled back by its alarms (and 5xx answers of an HTTP route)',
    ({ fn }) => {
      const template = templateOf(fn);
      template.hasResourceProperties('AWS::Lambda::Alias', {
        Name: LIVE_ALIAS,
        FunctionName: { Ref: logicalIdOf(fn.function) },
        FunctionVersion: { 'Fn::GetAtt': [Match.stringLikeRegexp('CurrentVersion'), 'Version'] },
      });
      const alias = template.toJSON().Resources[logicalIdOf(fn.alias)];
      expect(alias.UpdatePolicy.CodeDeployLambdaAliasUpdate.DeploymentGroupName).toEqual({
        Ref: logicalIdOf(fn.deploymentGroup),
      });
      template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        DeploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
        AlarmConfiguration: {
          Enabled: true,
          Alarms: [
            { Name: { Ref: logicalIdOf(fn.errorsAlarm) } },
            { Name: { Ref: logicalIdOf(fn.throttlesAlarm) } },
            ...(fn.entry.startsWith('functions/http/') && fn.entry !== FALLBACK_ENTRY
              ? [{ Name: { Ref: logicalIdOf(fn.serverErrorsAlarm) } }]
              : []),
          ],
        },
        AutoRollbackConfiguration: {
          Enabled: true,
          Events: Match.arrayWith(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM']),
        },
      });
    },
  );

  it.each(cases)('tells $entry its own timeout, which its AWS SDK calls are sized to', ({ fn }) => {
    const { Timeout, Environment } = templateOf(fn).toJSON().Resources[logicalIdOf(fn.function)].Properties;
    expect(Environment.Variables.COORD_FUNCTION_TIMEOUT_MS).toBe(String(Timeout * 1000));
  });

  it.each(cases)('bundles the Anthropic SDK into $entry only if it is given the Anthropic key', ({ fn }) => {
    const variables = templateOf(fn).toJSON().Resources[logicalIdOf(fn.function)].Properties.Environment
      .Variables as Record<string, unknown>;
    expect(fn.claude).toBe('ANTHROPIC_API_KEY_SECRET_ARN' in variables);
  });

  it('shares one CodeDeploy application and role per stack', () => {
    const withFunctions = new Set(functions.map((fn) => Stack.of(fn)));
    expect(withFunctions.size).toBeGreaterThan(3);
    for (const stack of withFunctions) {
      const template = templateOf(functions.find((fn) => Stack.of(fn) === stack) as CoordFunction);
      template.resourceCountIs('AWS::CodeDeploy::Application', 1);
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({ Principal: { Service: 'codedeploy.amazonaws.com' } })],
        },
        ManagedPolicyArns: [
          Match.objectLike({
            'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('AWSCodeDeployRoleForLambdaLimited')])],
          }),
        ],
      });
    }
  });

  // CloudFormation refuses a stack of more than 500 resources. Every stack, the API's nested
  // ones included, stays under 400: 100 resources of headroom is about 7 more routes (14 to 15
  // resources each: function, role, policy, log group, version, alias, deployment group, three
  // alarms, integration, permission, route, HEAD route) in the fullest area, so this test fails
  // on a branch that grows an area long before a deployment would.
  it.each([...templates.entries()].map(([stack, template]) => ({ name: stack.node.path, template })))(
    'keeps $name under 400 resources, well below the CloudFormation limit of 500',
    ({ template }) => {
      expect(Object.keys(template.toJSON().Resources).length).toBeLessThan(400);
    },
  );
});

describe('a stage without canaries', () => {
  it('invokes functions directly and creates no deployment groups', () => {
    const { messaging } = buildStacks(stageConfig('local'));
    const template = Template.fromStack(messaging);
    const fn = messaging.sweeper?.handler;
    expect(fn?.alias).toBeUndefined();
    template.resourceCountIs('AWS::CodeDeploy::DeploymentGroup', 0);
    template.resourceCountIs('AWS::Lambda::Alias', 0);
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalIdOf(fn?.function), 'Arn'] } })],
    });
  });
});
