import { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { PreTrafficHook } from '../../lib/constructs/pre-traffic-hook';
import { PRE_TRAFFIC_ROUTES } from '../../lib/coord-app';
import { stageConfig } from '../../lib/stage-config';
import { buildStacks, logicalIdOf, statementsOf, synthesize } from './support/synth';

describe('the pre-traffic hooks of stage dev', () => {
  const { stacks, api, templates } = synthesize('dev');
  const hookOf = (routeId: string) =>
    stacks.api.routes.functions.get(routeId)?.node.tryFindChild('PreTrafficHook') as
      | PreTrafficHook
      | undefined;

  it.each(PRE_TRAFFIC_ROUTES.map((routeId) => ({ routeId })))(
    'runs the hook of $routeId as the BeforeAllowTraffic hook of its deployment group, and only there',
    ({ routeId }) => {
      const probed = stacks.api.routes.functions.get(routeId);
      const hook = hookOf(routeId);
      expect(hook).toBeInstanceOf(PreTrafficHook);
      const alias = api.toJSON().Resources[logicalIdOf(probed?.alias)];
      expect(alias.UpdatePolicy.CodeDeployLambdaAliasUpdate).toEqual({
        ApplicationName: expect.anything(),
        DeploymentGroupName: { Ref: logicalIdOf(probed?.deploymentGroup) },
        BeforeAllowTrafficHook: { Ref: logicalIdOf(hook?.function) },
      });
      // No other alias runs it.
      const hookRef = JSON.stringify({ Ref: logicalIdOf(hook?.function) });
      const runners = Object.values(
        api.toJSON().Resources as Record<string, { UpdatePolicy?: unknown }>,
      ).filter((resource) => JSON.stringify(resource.UpdatePolicy ?? null).includes(hookRef));
      expect(runners).toHaveLength(1);
    },
  );

  it('has one hook per pre-traffic route, and no other', () => {
    const hooks = stacks.api.node.findAll().filter((construct) => construct instanceof PreTrafficHook);
    expect(hooks.map((hook) => hook.node.scope)).toEqual(
      PRE_TRAFFIC_ROUTES.map((routeId) => stacks.api.routes.functions.get(routeId)),
    );
  });

  it.each(PRE_TRAFFIC_ROUTES.map((routeId) => ({ routeId })))(
    'alarms when the hook of $routeId fails, notifying the alarm topic',
    ({ routeId }) => {
      const hook = hookOf(routeId);
      if (!hook) throw new Error(`No pre-traffic hook for ${routeId}`);
      const template = templates.get(Stack.of(hook)) as Template;
      const topic = { 'Fn::ImportValue': Match.stringLikeRegexp('coord-dev-messaging') };
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `coord-dev-http-${routeId}-pre-traffic-errors`,
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(hook.function) } }],
        Threshold: 1,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
        AlarmActions: [topic],
        OKActions: [topic],
      });
      expect(logicalIdOf(hook.errorsAlarm)).toMatch(/ErrorsAlarm/);
    },
  );
});

describe('the pre-traffic hook of the health canary', () => {
  const { stacks, api } = synthesize('dev');
  const health = stacks.api.routes.functions.get('health');
  const hook = health?.node.tryFindChild('PreTrafficHook') as PreTrafficHook | undefined;

  it('runs before traffic shifts to a new version of the health function', () => {
    expect(hook).toBeInstanceOf(PreTrafficHook);
    const alias = api.toJSON().Resources[logicalIdOf(health?.alias)];
    expect(alias.UpdatePolicy.CodeDeployLambdaAliasUpdate.BeforeAllowTrafficHook).toEqual({
      Ref: logicalIdOf(hook?.function),
    });
  });

  it('is told the new version to probe, and may invoke that version only', () => {
    const version = logicalIdOf(health?.function.currentVersion);
    const hookFunction = api.toJSON().Resources[logicalIdOf(hook?.function)];
    // The current version's logical id carries a hash of the function's code and settings.
    expect(hookFunction.Properties.Environment.Variables.COORD_HOOK_TARGET).toEqual({
      Ref: expect.stringMatching(new RegExp(`^${version}[0-9a-f]{32}$`)),
    });
    const statements = statementsOf(api, logicalIdOf(hook?.function.role));
    const invoke = statements.filter((statement) =>
      [statement.Action].flat().includes('lambda:InvokeFunction'),
    );
    expect(invoke).toHaveLength(1);
    expect(JSON.stringify(invoke[0]?.Resource)).toContain(version);
    expect(JSON.stringify(invoke[0]?.Resource)).not.toContain('*');
  });

  it('may report the lifecycle status to its deployment group', () => {
    const statements = statementsOf(api, logicalIdOf(hook?.function.role));
    expect(statements).toContainEqual(
      expect.objectContaining({ Action: 'codedeploy:PutLifecycleEventHookExecutionStatus', Effect: 'Allow' }),
    );
    api.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      TracingConfig: { Mode: 'Active' },
      Environment: { Variables: Match.objectLike({ COORD_HOOK_TARGET: Match.anyValue() }) },
    });
  });

  it('does not exist without canaries', () => {
    const local = buildStacks({ ...stageConfig('dev'), canary: false });
    const localHealth = local.api?.routes.functions.get('health');
    expect(localHealth?.node.tryFindChild('PreTrafficHook')).toBeUndefined();
  });
});
