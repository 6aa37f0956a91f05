/**
 * cdk-nag's AWS Solutions checks on every stack, and the findings the service accepts, each with
 * its reason. `bin/app.ts` runs the checks on every synth (an unacknowledged error stops it) and
 * `test/infra/nag.test.ts` holds the stacks to zero unacknowledged findings.
 *
 * Acknowledgements name the exact finding (`AwsSolutions-IAM5[Resource::*]`, not the whole rule)
 * on the narrowest construct that needs it, so a new wildcard elsewhere is still reported.
 */
import { type App, type CfnElement, Stack, Token, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { CoordFunction } from './constructs/coord-function';
import { PreTrafficHook } from './constructs/pre-traffic-hook';
import type { CoordStacks } from './coord-app';

/** One accepted finding. */
interface Acknowledgement {
  readonly id: string;
  readonly reason: string;
}

const managedPolicy = (name: string): string =>
  `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${name}]`;

/** What every function of the service accepts. */
export const FUNCTION_ACKNOWLEDGEMENTS: readonly Acknowledgement[] = [
  {
    id: managedPolicy('AWSLambdaBasicExecutionRole'),
    reason:
      'The basic execution policy only lets the function create log streams and put events; each function writes its own log group, created by the stack with a retention.',
  },
  {
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level permissions. Table and index grants name each table and index.',
  },
  {
    id: 'AwsSolutions-L1',
    reason:
      'Node.js 22 is pinned: the bundles, the local runtime and the test suite target it (package.json engines); a newer runtime is a tested upgrade, not a silent default.',
  },
];

const acknowledge = (scope: IConstruct, acknowledgements: readonly Acknowledgement[]): void => {
  for (const acknowledgement of acknowledgements) Validations.of(scope).acknowledge(acknowledgement);
};

const logicalIdOf = (construct: IConstruct): string =>
  Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);

/** How a finding spells the region of a construct's stack: `<AWS::Region>` unless the stack has a known one. */
const regionOf = (construct: IConstruct): string => {
  const { region } = Stack.of(construct);
  return Token.isUnresolved(region) ? '<AWS::Region>' : region;
};

/**
 * Records the accepted findings on the stacks' constructs. Call after the stacks are built (and
 * the canaries added), before synth.
 */
export const acknowledgeNagFindings = (app: App, stacks: CoordStacks): void => {
  for (const fn of app.node.findAll().filter((construct) => construct instanceof CoordFunction)) {
    acknowledge(fn, FUNCTION_ACKNOWLEDGEMENTS);
  }
  // One CodeDeploy role per stack shifts traffic between function versions.
  for (const role of app.node.findAll().filter((construct) => construct.node.id === 'CanaryDeployRole')) {
    acknowledge(role, [
      {
        id: managedPolicy('AWSCodeDeployRoleForLambdaLimited'),
        reason:
          "CodeDeploy's own limited policy for Lambda deployments: update aliases, invoke the stack's hooks, read the alarms.",
      },
    ]);
  }

  // CodeDeploy may invoke each pre-traffic hook (CDK grants it `<hook>:*`, any version of it).
  for (const hook of app.node.findAll().filter((construct) => construct instanceof PreTrafficHook)) {
    const role = Stack.of(hook).node.tryFindChild('CanaryDeployRole');
    if (!role) continue;
    acknowledge(role, [
      {
        id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(hook.function)}.Arn>:*]`,
        reason:
          "CodeDeploy invokes the deployment's pre-traffic hook function (any of its versions) and nothing else.",
      },
    ]);
  }

  const { data, messaging, api, realtime, web } = stacks;
  if (data.backupPlan) {
    acknowledge(data.backupPlan, [
      {
        id: managedPolicy('AWSBackupServiceRolePolicyForBackup'),
        reason: "AWS Backup's service policy for taking the tables' backups into the plan's vault.",
      },
      {
        id: managedPolicy('AWSBackupServiceRolePolicyForRestores'),
        reason:
          "AWS Backup's service policy for restoring a recovery point into new tables (docs/runbook.md).",
      },
    ]);
  }
  const rotation = (what: string): Acknowledgement => ({
    id: 'AwsSolutions-SMG4',
    reason: `${what} (README, "Security").`,
  });
  acknowledge(data.anthropicApiKeySecret, [
    rotation(
      'A third-party API key: only Anthropic issues a new one, so an operator puts it in by hand; functions re-read the secret within their cache lifetime',
    ),
  ]);
  acknowledge(data.githubWebhookSecret, [
    rotation(
      "A secret shared with GitHub: it must change on both sides at once, so an operator sets a new one in the repository's webhook settings and puts the same value here",
    ),
  ]);
  if (api) {
    acknowledge(api.adminTokenSecret, [
      rotation(
        'The bootstrap admin token is handed to a person; it is rotated on demand with `aws secretsmanager put-secret-value`, and day-to-day admins use issued tokens that expire and can be revoked',
      ),
    ]);
    if (api.originSecret) {
      acknowledge(api.originSecret, [
        rotation(
          'The origin secret is copied into the CloudFront distribution when the web stack deploys, so a rotation is a put-secret-value followed by a web stack deploy with the new version id; functions accept the current and previous versions meanwhile',
        ),
      ]);
    }
    acknowledge(api.registrationKeySecret, [
      rotation(
        'The registration key is configured into agents; it is rotated on demand with `aws secretsmanager put-secret-value`, and team-limited issued registration keys expire on their own',
      ),
    ]);
    acknowledge(api, [
      {
        id: 'AwsSolutions-APIG4',
        reason:
          'Every route but /v1/health and /openapi.json authenticates in its handler (the shared HTTP chain verifies the bearer token and its role before any work, and rate-limits each token); the $default route answers 404/405 only.',
      },
    ]);
  }
  if (messaging.sweeper) {
    acknowledge(messaging.sweeper.deadLetterQueue, [
      { id: 'AwsSolutions-SQS3', reason: "It is the sweeper schedule's dead-letter queue; it has an alarm." },
    ]);
  }
  if (realtime) {
    for (const consumer of realtime.streamConsumers.values()) {
      acknowledge(consumer.failureQueue, [
        { id: 'AwsSolutions-SQS3', reason: "It is the stream consumer's failure queue; it has an alarm." },
      ]);
    }
    acknowledge(realtime, [
      {
        id: 'AwsSolutions-APIG4',
        reason:
          '$connect authenticates the token of the query string in its handler (401 at the upgrade); the other routes act only for connections $connect accepted.',
      },
    ]);
    acknowledge(realtime.stage, [
      {
        id: 'AwsSolutions-APIG1',
        reason:
          'WebSocket access logs need the account-wide API Gateway CloudWatch role, which this app does not own; every handler logs each message with the connection and request ids.',
      },
    ]);
    for (const [, fn] of realtime.routes.functions) {
      acknowledge(fn, [
        {
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:${regionOf(realtime)}:<AWS::AccountId>:<${logicalIdOf(realtime.webSocketApi)}>/*/*/@connections/*]`,
          reason:
            'Posting to and closing any connection of this API only: connection ids are not known at deploy time.',
        },
      ]);
    }
    for (const consumer of realtime.streamConsumers.values()) {
      acknowledge(consumer, [
        {
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:${regionOf(realtime)}:<AWS::AccountId>:<${logicalIdOf(realtime.webSocketApi)}>/*/*/@connections/*]`,
          reason: 'Posting to any connection of this API only: connection ids are not known at deploy time.',
        },
      ]);
    }
  }
  if (web) {
    const deployment = (id: string): Acknowledgement => ({
      id,
      reason:
        "CDK's BucketDeployment and auto-delete providers: they run only during deployments, copying the dashboard build into the site bucket and emptying it when a dev stack is deleted.",
    });
    acknowledge(web, [
      deployment(managedPolicy('AWSLambdaBasicExecutionRole')),
      deployment('AwsSolutions-L1'),
      deployment('AwsSolutions-IAM5[Resource::*]'),
      ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((action) =>
        deployment(`AwsSolutions-IAM5[Action::${action}]`),
      ),
      deployment(
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-${regionOf(web)}/*]`,
      ),
      deployment(`AwsSolutions-IAM5[Resource::<${logicalIdOf(web.bucket)}.Arn>/*]`),
    ]);
    acknowledge(web.bucket, [
      {
        id: 'AwsSolutions-S1',
        reason:
          'The bucket holds only the public dashboard build, read by CloudFront through origin access control; requests are logged by CloudFront and the API.',
      },
    ]);
    acknowledge(web.distribution, [
      {
        id: 'AwsSolutions-CFR1',
        reason: 'The dashboard and API serve agents and people wherever they are: no geographic restriction.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'A stage with perIpLimit puts the edge stack\'s rate-based web ACL here; the others rely on the API\'s per-token rate limits and stage throttling (README "Security", "Per-IP limits and WAF").',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          'CloudFront standard logs need an ACL-enabled log bucket; API requests are logged by the HTTP API access log, and the site is static.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The default *.cloudfront.net certificate allows only TLSv1 as minimum; a custom domain with TLSv1.2_2021 is set in the stage when one exists.',
      },
    ]);
  }
};

/** Runs the AWS Solutions checks on every stack of `app` at synth; an unacknowledged error stops it. */
export const addNagChecks = (app: App): void => {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
};
