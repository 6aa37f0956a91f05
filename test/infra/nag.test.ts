import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { CoordFunction } from '../../lib/constructs/coord-function';
import { buildCoordApp } from '../../lib/coord-app';
import { acknowledgeNagFindings, addNagChecks, FUNCTION_ACKNOWLEDGEMENTS } from '../../lib/nag';
import { stageConfig } from '../../lib/stage-config';
import { appWithoutBundling, PER_IP_TEST_REGION, stubProjectRoot } from './support/synth';

interface Report {
  readonly pluginReports: readonly { readonly violations: readonly { readonly ruleName: string }[] }[];
}

const reportOf = (outdir: string): Report =>
  JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as Report;

const acknowledgementsUnder = (scope: IConstruct) =>
  scope.node
    .findAll()
    .flatMap((construct) =>
      construct.node.metadata.filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY),
    )
    // Each entry is `{ [ruleId]: reason }`.
    .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
    .map(([id, reason]) => ({ id, reason }));

describe('cdk-nag AWS Solutions checks', () => {
  it('find no unacknowledged finding in any stack of stage dev, and every acknowledgement has a reason', () => {
    const app = appWithoutBundling();
    const stacks = buildCoordApp(app, {
      config: stageConfig('dev'),
      functionDefaults: { projectRoot: stubProjectRoot() },
    });
    addNagChecks(app);
    acknowledgeNagFindings(app, stacks);

    expect(() => app.synth()).not.toThrow();
    expect(reportOf(app.outdir).pluginReports.flatMap((report) => report.violations)).toEqual([]);
    const acknowledgements = acknowledgementsUnder(app);
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const { id, reason } of acknowledgements) {
      expect(id).toMatch(/^(Annotation::)?AwsSolutions-[A-Z]+\d+/);
      expect(reason.length, id).toBeGreaterThan(40);
    }
  }, 300_000);

  it('find no unacknowledged finding in stage prod, whose per-IP limit adds the us-east-1 edge stack', () => {
    const app = appWithoutBundling();
    const stacks = buildCoordApp(app, {
      config: stageConfig('prod'),
      env: { region: PER_IP_TEST_REGION },
      functionDefaults: { projectRoot: stubProjectRoot() },
    });
    addNagChecks(app);
    acknowledgeNagFindings(app, stacks);

    expect(stacks.edge).toBeDefined();
    expect(() => app.synth()).not.toThrow();
    expect(reportOf(app.outdir).pluginReports.flatMap((report) => report.violations)).toEqual([]);
  }, 300_000);

  it('stop the synth on a wildcard grant that no acknowledgement covers', () => {
    const app = appWithoutBundling();
    const stack = new Stack(app, 'Probe');
    const fn = new CoordFunction(stack, 'Probe', {
      entry: 'functions/http/health.ts',
      projectRoot: stubProjectRoot(),
    });
    for (const acknowledgement of FUNCTION_ACKNOWLEDGEMENTS) Validations.of(fn).acknowledge(acknowledgement);
    fn.function.addToRolePolicy(
      new PolicyStatement({ actions: ['dynamodb:*'], resources: ['arn:aws:dynamodb:*:*:table/probe'] }),
    );
    addNagChecks(app);

    expect(() => app.synth()).toThrow();
    const rules = reportOf(app.outdir).pluginReports.flatMap((report) =>
      report.violations.map((violation) => violation.ruleName),
    );
    expect(rules).toContain('AwsSolutions-IAM5[Action::dynamodb:*]');
    // The acknowledged X-Ray wildcard and managed policy are not reported.
    expect(rules.filter((rule) => rule.startsWith('AwsSolutions-IAM4'))).toEqual([]);
    expect(rules).not.toContain('AwsSolutions-IAM5[Resource::*]');
  });
});
