import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IGrantable, IPrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type CfnFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { FunctionSettings } from '../stage-config';

/** The project root: the folder holding package.json, `functions/` and `lib/`. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

// esbuild's ESM output has no `require`, yet some bundled CommonJS dependencies call it for
// Node built-ins; this banner gives the module a real one.
const ESM_REQUIRE_BANNER =
  "import { createRequire as __coordCreateRequire } from 'node:module'; const require = __coordCreateRequire(import.meta.url);";

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
   * esbuild options merged over the defaults.
   * @default ESM for Node 22, minified, with source maps, every dependency (the AWS SDK too) bundled
   */
  readonly bundling?: BundlingOptions;
}

/**
 * A Lambda function for one handler module: Node.js 22 on arm64, active X-Ray tracing, its own
 * log group with a retention, source maps, and Powertools defaults. It bundles everything,
 * the AWS SDK v3 included, so the deployed SDK version is the one the lockfile pins.
 */
export class CoordFunction extends Construct implements IGrantable {
  /** The Lambda function. */
  public readonly function: NodejsFunction;
  /** The function's log group. */
  public readonly logGroup: LogGroup;
  /** The handler module, relative to the project root (`functions/http/claim-next.ts`). */
  public readonly entry: string;

  /** @throws Error naming the file when the entry module does not exist. */
  constructor(scope: Construct, id: string, props: CoordFunctionProps) {
    super(scope, id);
    this.entry = props.entry;
    const projectRoot = resolve(props.projectRoot ?? PROJECT_ROOT);
    const entry = join(projectRoot, props.entry);
    if (!existsSync(entry)) {
      throw new Error(
        `CoordFunction ${this.node.path}: handler module ${props.entry} does not exist (looked for ${entry})`,
      );
    }

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });

    this.function = new NodejsFunction(this, 'Function', {
      entry,
      handler: 'handler',
      projectRoot,
      depsLockFilePath: join(projectRoot, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      tracing: Tracing.ACTIVE,
      memorySize: props.memorySizeMiB ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      logGroup: this.logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.serviceName ?? 'coord',
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace ?? 'Coord',
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        externalModules: [],
        ...props.bundling,
      },
    });
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
