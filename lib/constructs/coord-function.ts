import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import {
  type ILambdaApplication,
  type ILambdaDeploymentConfig,
  LambdaDeploymentConfig,
  LambdaDeploymentGroup,
} from 'aws-cdk-lib/aws-codedeploy';
import type { IGrantable, IPrincipal, IRole } from 'aws-cdk-lib/aws-iam';
import {
  Alias,
  Architecture,
  type CfnFunction,
  type IFunction,
  LayerVersion,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BUNDLE_SETTINGS, bundleAliases, callsClaude } from '../bundle';
import { EMITTED_METRICS } from '../emitted-metrics';
import type { FunctionSettings, OpenTelemetrySettings } from '../stage-config';

/** The project root: the folder holding package.json, `functions/` and `lib/`. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Name of the alias callers invoke when a function has one. */
export const LIVE_ALIAS = 'live';

/** The part of an alarm name that names a function: `http-claim-next` for `functions/http/claim-next.ts`. */
export const functionAlarmName = (entry: string): string =>
  entry
    .replace(/^functions\//, '')
    .replace(/\.ts$/, '')
    .replaceAll('/', '-');

/**
 * What every function of the service shares: the module's `handler` on Node.js 22 and arm64,
 * actively traced, bundled against the project's lockfile.
 */
export const functionBasics = (projectRoot: string, entry: string) => ({
  entry,
  handler: 'handler',
  projectRoot,
  depsLockFilePath: join(projectRoot, 'package-lock.json'),
  runtime: Runtime.NODEJS_22_X,
  architecture: Architecture.ARM_64,
  tracing: Tracing.ACTIVE,
});

/** Properties of a {@link CoordFunction}. */
export interface CoordFunctionProps {
  /** Handler module relative to the project root (as in `routes.ts`); it exports `handler`. */
  readonly entry: string;
  /**
   * Folder that `entry` is relative to; it holds package.json and package-lock.json.
   * @default the project root this file belongs to
   */
  readonly projectRoot?: string;
  /**
   * Memory given to the function, in MiB.
   * @default 512 MiB
   */
  readonly memorySizeMiB?: number;
  /**
   * Time an invocation may take before Lambda stops it.
   * @default 10 seconds
   */
  readonly timeout?: Duration;
  /**
   * Variables added to the function's environment; they win over the Powertools defaults.
   * @default only the Powertools defaults and `NODE_OPTIONS=--enable-source-maps`
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Powertools service name for logs, traces and metrics.
   * @default 'coord'
   */
  readonly serviceName?: string;
  /**
   * Namespace of the EMF metrics.
   * @default 'Coord'
   */
  readonly metricsNamespace?: string;
  /**
   * Powertools log level.
   * @default 'INFO'
   */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /**
   * How long the function's log group keeps events.
   * @default one month
   */
  readonly logRetention?: RetentionDays;
  /**
   * What happens to the log group when the stack is deleted.
   * @default the log group is destroyed with the stack
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Whether callers invoke the `live` alias of the function's current version instead of
   * `$LATEST`, so a deployment can shift traffic to a new version gradually ({@link CoordFunction.addCanary}).
   * @default false: callers invoke the function itself
   */
  readonly alias?: boolean;
  /**
   * Whether the function calls Claude (it is given the Anthropic key): only then does its bundle
   * carry the Anthropic SDK. Without, the advisor answers from its heuristic and the SDK is left out.
   * @default true for the AI routes and the WebSocket `ask` handler ({@link callsClaude})
   */
  readonly claude?: boolean;
  /**
   * esbuild options merged over the defaults.
   * @default CommonJS for Node 22, minified, with source maps, every dependency bundled except the
   * AWS SDK v3 (the Node.js 22 runtime ships it), the Anthropic SDK only with `claude`
   */
  readonly bundling?: BundlingOptions;
  /**
   * OpenTelemetry export: the ADOT layer and its wrapper (`AWS_LAMBDA_EXEC_WRAPPER`), plus
   * `OTEL_EXPORTER_OTLP_ENDPOINT` when an endpoint is given.
   * @default none
   */
  readonly openTelemetry?: OpenTelemetrySettings;
  /**
   * Id of the HTTP route the function answers (`claimNext`): its 5xx answers, which the HTTP
   * chain counts as `http5xx` with dimension `route`, get an alarm ({@link CoordFunction.addAlarms}).
   * @default not an HTTP route: no 5xx alarm
   */
  readonly httpRoute?: string;
}

/** The wrapper script of the ADOT Node.js layer. */
export const OTEL_EXEC_WRAPPER = '/opt/otel-handler';

/** Environment that runs a function under the ADOT layer's wrapper. */
const openTelemetryEnvironment = (settings: OpenTelemetrySettings | undefined): Record<string, string> =>
  settings
    ? {
        AWS_LAMBDA_EXEC_WRAPPER: OTEL_EXEC_WRAPPER,
        ...(settings.endpoint && { OTEL_EXPORTER_OTLP_ENDPOINT: settings.endpoint }),
      }
    : {};

/**
 * A Lambda function for one handler module: Node.js 22 on arm64, active X-Ray tracing, its own
 * log group with a retention, source maps, and Powertools defaults. It bundles every dependency
 * but the AWS SDK v3, which the runtime provides (see `lib/bundle.ts`).
 */
export class CoordFunction extends Construct implements IGrantable {
  /** The Lambda function. */
  public readonly function: NodejsFunction;
  /** The function's log group. */
  public readonly logGroup: LogGroup;
  /** The handler module, relative to the project root (`functions/http/claim-next.ts`). */
  public readonly entry: string;
  /** Whether the bundle carries the Anthropic SDK ({@link CoordFunctionProps.claude}). */
  public readonly claude: boolean;
  /** The HTTP route the function answers, if any ({@link CoordFunctionProps.httpRoute}). */
  public readonly httpRoute?: string;
  /** The `live` alias, when the function has one. */
  public readonly alias?: Alias;
  /** What integrations, event sources and rules invoke: the alias when there is one, else the function. */
  public readonly target: IFunction;
  /** Fires when invocations fail (thrown errors, timeouts, crashes); set by {@link CoordFunction.addAlarms}. */
  public errorsAlarm?: Alarm;
  /** Fires when invocations are throttled; set by {@link CoordFunction.addAlarms}. */
  public throttlesAlarm?: Alarm;
  /**
   * Fires when the function's HTTP route answers 5xx; set by {@link CoordFunction.addAlarms} for
   * a function with an `httpRoute`.
   */
  public serverErrorsAlarm?: Alarm;
  /** The canary deployment, when the function has one. */
  public deploymentGroup?: LambdaDeploymentGroup;

  /** @throws Error naming the file when the entry module does not exist. */
  constructor(scope: Construct, id: string, props: CoordFunctionProps) {
    super(scope, id);
    this.entry = props.entry;
    this.claude = props.claude ?? callsClaude(props.entry);
    if (props.httpRoute !== undefined) this.httpRoute = props.httpRoute;
    const projectRoot = resolve(props.projectRoot ?? PROJECT_ROOT);
    const entry = join(projectRoot, props.entry);
    if (!existsSync(entry)) {
      throw new Error(
        `CoordFunction ${this.node.path}: handler module ${props.entry} does not exist (looked for ${entry})`,
      );
    }

    if (
      props.openTelemetry &&
      !/^arn:[^:]+:lambda:[^:]*:\d*:layer:[^:]+:\d+$/.test(props.openTelemetry.layerArn)
    ) {
      throw new Error(
        `CoordFunction ${this.node.path}: openTelemetry.layerArn "${props.openTelemetry.layerArn}" is not a layer version ARN`,
      );
    }

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });

    const timeout = props.timeout ?? Duration.seconds(10);
    this.function = new NodejsFunction(this, 'Function', {
      ...functionBasics(projectRoot, entry),
      memorySize: props.memorySizeMiB ?? 512,
      timeout,
      logGroup: this.logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        // AWS SDK calls size their attempts and request time to end before the function times out.
        COORD_FUNCTION_TIMEOUT_MS: String(timeout.toMilliseconds()),
        POWERTOOLS_SERVICE_NAME: props.serviceName ?? EMITTED_METRICS.service,
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace ?? EMITTED_METRICS.namespace,
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        ...openTelemetryEnvironment(props.openTelemetry),
        ...props.environment,
      },
      ...(props.openTelemetry && {
        layers: [LayerVersion.fromLayerVersionArn(this, 'OpenTelemetryLayer', props.openTelemetry.layerArn)],
      }),
      bundling: {
        ...BUNDLE_SETTINGS,
        format: OutputFormat.CJS,
        mainFields: [...BUNDLE_SETTINGS.mainFields],
        externalModules: [...BUNDLE_SETTINGS.externalModules],
        esbuildArgs: Object.fromEntries(
          Object.entries(
            // The precompiled validators are written only when this stack's assets are bundled.
            bundleAliases(
              projectRoot,
              { entry: props.entry, claude: this.claude },
              Stack.of(this).bundlingRequired,
            ),
          ).map(([from, to]) => [`--alias:${from}`, to]),
        ),
        ...props.bundling,
      },
    });
    if (props.alias) {
      this.alias = new Alias(this, 'Live', { aliasName: LIVE_ALIAS, version: this.function.currentVersion });
    }
    this.target = this.alias ?? this.function;
  }

  /**
   * Adds the function's error and throttle alarms and, for an HTTP route, its 5xx alarm.
   * @param namePrefix prefix of the alarm names, e.g. `coord-dev`
   * @param notify makes an alarm notify whoever is on call
   */
  public addAlarms(namePrefix: string, notify: (alarm: Alarm) => void): void {
    const name = `${namePrefix}-${functionAlarmName(this.entry)}`;
    const common = {
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    };
    // Handlers answer expected failures (4xx, 503) themselves, so any Lambda error is a fault.
    this.errorsAlarm = new Alarm(this, 'ErrorsAlarm', {
      ...common,
      alarmName: `${name}-errors`,
      alarmDescription: `${this.entry} failed invocations in 2 of the last 3 minutes: read its logs (docs/runbook.md, "Function errors").`,
      metric: this.function.metricErrors({ period: Duration.minutes(1), statistic: 'Sum' }),
    });
    this.throttlesAlarm = new Alarm(this, 'ThrottlesAlarm', {
      ...common,
      alarmName: `${name}-throttles`,
      alarmDescription: `${this.entry} was throttled in 2 of the last 3 minutes: raise its reserved concurrency or the account limit (docs/runbook.md, "Throttles").`,
      metric: this.function.metricThrottles({ period: Duration.minutes(1), statistic: 'Sum' }),
    });
    notify(this.errorsAlarm);
    notify(this.throttlesAlarm);
    if (this.httpRoute !== undefined) {
      // The HTTP chain turns unexpected errors into 500 answers (and an unavailable store into
      // 503): the invocation succeeds, so Lambda's Errors never sees them. Its own count does.
      this.serverErrorsAlarm = new Alarm(this, 'ServerErrorsAlarm', {
        alarmName: `${name}-5xx`,
        alarmDescription: `${this.entry} answered 5xx in the last minute: find the request ids in its logs (docs/runbook.md, "Route 5xx").`,
        metric: new Metric({
          namespace: EMITTED_METRICS.namespace,
          metricName: 'http5xx',
          dimensionsMap: { service: EMITTED_METRICS.service, route: this.httpRoute },
          statistic: 'Sum',
          period: Duration.minutes(1),
        }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        // No answers, no 5xx.
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      notify(this.serverErrorsAlarm);
    }
  }

  /**
   * Deploys new versions as a canary: 10 % of invocations for 5 minutes, then all, rolled back
   * automatically when the function's alarms (errors, throttles and, for an HTTP route, 5xx
   * answers) fire during the shift.
   * @throws Error when the function has no alias or no alarms yet.
   */
  public addCanary(
    application: ILambdaApplication,
    role: IRole,
    deploymentConfig: ILambdaDeploymentConfig = LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
  ): LambdaDeploymentGroup {
    if (!this.alias || !this.errorsAlarm || !this.throttlesAlarm) {
      throw new Error(`${this.node.path}: a canary needs the function's alias and alarms`);
    }
    this.deploymentGroup = new LambdaDeploymentGroup(this, 'Deployment', {
      application,
      alias: this.alias,
      role,
      deploymentConfig,
      alarms: [
        this.errorsAlarm,
        this.throttlesAlarm,
        ...(this.serverErrorsAlarm ? [this.serverErrorsAlarm] : []),
      ],
      autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
    });
    return this.deploymentGroup;
  }

  /**
   * Overrides the memory and sets the reserved concurrency (stage config settings of this function).
   * @throws Error when the reserved concurrency is below 1 (0 would stop the function).
   */
  public applySettings(settings: FunctionSettings): void {
    const cfn = this.function.node.defaultChild as CfnFunction;
    if (settings.memoryMiB !== undefined) cfn.memorySize = settings.memoryMiB;
    if (settings.reservedConcurrency !== undefined) {
      if (settings.reservedConcurrency < 1) {
        throw new Error(`${this.node.path}: a reserved concurrency below 1 would stop the function`);
      }
      cfn.reservedConcurrentExecutions = settings.reservedConcurrency;
    }
  }

  /** The principal that grants on tables and secrets apply to. */
  public get grantPrincipal(): IPrincipal {
    return this.function.grantPrincipal;
  }
}
