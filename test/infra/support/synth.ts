import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';
import { buildCoordApp, type CoordStacks } from '../../../lib/coord-app';

/** A synthesized deployment: the stacks and their templates. */
export interface SynthesizedApp {
  readonly stacks: CoordStacks;
  readonly data: Template;
  readonly api: Template;
}

/**
 * An app without esbuild bundling: NodejsFunction honours `aws:cdk:bundling-stacks`, so assets
 * get a placeholder hash and synth stays fast. One test in coord-function.test.ts bundles for real.
 */
export const appWithoutBundling = (): App => new App({ context: { [BUNDLING_STACKS]: [] } });

/** Synthesizes both stacks of a stage, without bundling. */
export const synthesize = (stage: string): SynthesizedApp => {
  const stacks = buildCoordApp(appWithoutBundling(), { stage });
  return { stacks, data: Template.fromStack(stacks.data), api: Template.fromStack(stacks.api) };
};

/** The logical id, in its stack's template, of the resource behind a construct (a table, a role...). */
export const logicalIdOf = (construct: IConstruct | undefined): string => {
  const resource = construct?.node.defaultChild;
  if (!resource) throw new Error(`${construct?.node.path ?? 'undefined'} has no CloudFormation resource`);
  return Stack.of(resource).getLogicalId(resource as CfnElement);
};

interface Statement {
  readonly Action: string | readonly string[];
  readonly Resource: unknown;
}

/** Every IAM statement of the policies attached to a role (by logical id). */
export const statementsOf = (template: Template, roleId: string): Statement[] => {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: roleId }] },
  });
  return Object.values(policies).flatMap(
    (policy) =>
      (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
        .Statement,
  );
};

/** The distinct actions a role's policies allow. */
export const actionsOf = (template: Template, roleId: string): Set<string> =>
  new Set(statementsOf(template, roleId).flatMap((statement) => [statement.Action].flat()));
