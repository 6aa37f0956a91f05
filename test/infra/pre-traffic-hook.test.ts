import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { PreTrafficHook } from '../../lib/constructs/pre-traffic-hook';
import { stageConfig } from '../../lib/stage-config';
import { buildStacks, logicalIdOf, statementsOf, synthesize } from './support/synth';

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
