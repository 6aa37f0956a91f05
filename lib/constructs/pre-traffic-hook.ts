import { join, resolve } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { LambdaDeploymentGroup } from 'aws-cdk-lib/aws-codedeploy';
import type { IVersion } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ORIGIN_SECRET_ARN_VARIABLE } from '#functions/shared/origin-header';
import { BUNDLE_SETTINGS } from '../bundle';
import { functionBasics, PROJECT_ROOT } from './coord-function';

/** The hook's handler module, relative to the project root. */
export const PRE_TRAFFIC_HOOK_ENTRY = 'functions/hooks/pre-traffic.ts';

/** Properties of a {@link PreTrafficHook}. */
export interface PreTrafficHookProps {
  /** The canary the hook guards: it runs before any traffic shifts. */
  readonly deploymentGroup: LambdaDeploymentGroup;
  /** The version being deployed: the hook invokes it with `GET <path>`. */
  readonly target: IVersion;
  /**
   * The public read route the hook asks the new version for (the hook sends no token).
   * @default `/v1/health`
   */
  readonly path?: string;
  /**
   * Folder the entry is relative to.
   * @default the project root
   */
  readonly projectRoot?: string;
  /**
   * How long the hook's log group keeps events.
   * @default one month
   */
  readonly logRetention?: RetentionDays;
  /**
   * What happens to the log group when the stack is deleted.
   * @default the log group is destroyed with the stack
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Stage settings for the hook's environment, as the API's functions get them.
   * @default none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * The origin secret the probed version expects in `x-origin-verify` (a stage with a per-IP
   * limit): the hook may read it and sends it as CloudFront does.
   * @default none: the probe sends no origin header
   */
  readonly originSecret?: ISecret;
}

/**
 * CodeDeploy's BeforeAllowTraffic hook of one canary: a function that invokes the new version
 * with the API Gateway event of `GET <path>` (`/v1/health` unless told) and fails the deployment (rolled back before any
 * traffic moves) unless it answers 200. It may invoke that version only, and report only to its
 * deployment group.
 */
export class PreTrafficHook extends Construct {
  /** The hook function. */
  public readonly function: NodejsFunction;
  /** Fires when the hook itself fails; set by {@link PreTrafficHook.addErrorsAlarm}. */
  public errorsAlarm?: Alarm;

  constructor(scope: Construct, id: string, props: PreTrafficHookProps) {
    super(scope, id);
    const projectRoot = resolve(props.projectRoot ?? PROJECT_ROOT);
    this.function = new NodejsFunction(this, 'Function', {
      ...functionBasics(projectRoot, join(projectRoot, PRE_TRAFFIC_HOOK_ENTRY)),
      // Invoking the new version includes its cold start and its store check.
      timeout: Duration.seconds(30),
      logGroup: new LogGroup(this, 'Logs', {
        retention: props.logRetention ?? RetentionDays.ONE_MONTH,
        removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
      }),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
        COORD_HOOK_TARGET: props.target.functionArn,
        COORD_HOOK_PATH: props.path ?? '/v1/health',
        ...(props.originSecret && { [ORIGIN_SECRET_ARN_VARIABLE]: props.originSecret.secretArn }),
      },
      bundling: {
        ...BUNDLE_SETTINGS,
        format: OutputFormat.CJS,
        mainFields: [...BUNDLE_SETTINGS.mainFields],
        externalModules: [...BUNDLE_SETTINGS.externalModules],
      },
    });
    props.target.grantInvoke(this.function);
    props.originSecret?.grantRead(this.function);
    props.deploymentGroup.addPreHook(this.function);
  }

  /**
   * Adds an alarm on the hook's own failures. The hook reports a probe that fails as Failed
   * itself, so a failed invocation means it could not report at all (CodeDeploy refused the
   * status, the hook timed out or crashed): the deployment then waits for the hook's status
   * until CodeDeploy gives up after an hour, and nobody learns why unless this alarm tells them.
   * It is not one of the deployment group's rollback alarms: it fires only while a deployment
   * runs the hook, before any traffic shifts, so there is no traffic to roll back.
   * @param alarmName the alarm's name, e.g. `coord-dev-http-health-pre-traffic-errors`
   * @param notify makes the alarm notify whoever is on call
   */
  public addErrorsAlarm(alarmName: string, notify: (alarm: Alarm) => void): Alarm {
    this.errorsAlarm = new Alarm(this, 'ErrorsAlarm', {
      alarmName,
      alarmDescription:
        'A pre-traffic hook failed to report its check: the deployment waits up to an hour (docs/runbook.md, "Pre-traffic hook errors").',
      metric: this.function.metricErrors({ period: Duration.minutes(1), statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // The hook runs only during deployments: no invocations, no data.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    notify(this.errorsAlarm);
    return this.errorsAlarm;
  }
}
