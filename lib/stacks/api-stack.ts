import {
  ArnFormat,
  CfnOutput,
  CrossStackReferences,
  ReferenceStrength,
  RemovalPolicy,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpStage,
  LogGroupLogDestination,
  type ThrottleSettings,
} from 'aws-cdk-lib/aws-apigatewayv2';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { deadLetterQueueName, QUEUES, queueName } from '#adapters/sqs/queues';
import { ORIGIN_SECRET_ARN_VARIABLE } from '#functions/shared/origin-header';
import { ROUTES, type RouteDefinition } from '#functions/shared/routes';
import { AiQueryStream } from '../constructs/ai-query-stream';
import type { CoordFunctionProps } from '../constructs/coord-function';
import { HttpRoutes } from '../constructs/http-routes';
import { SERVICE_VERSION } from '../service-version';
import { grantAnthropicKey } from './data-stack';

/** The variable a handler reads a queue's URL from, e.g. `COORD_HEARTBEATS_QUEUE_URL` (see `loadConfig`). */
export const queueUrlVariable = (queueId: string): string => `COORD_${queueId.toUpperCase()}_QUEUE_URL`;

/** Properties of the {@link ApiStack}. */
export interface ApiStackProps extends StackProps {
  /** Deployment stage, e.g. `dev` or `prod`; handlers read it as `COORD_STAGE`. */
  readonly stage: string;
  /** Physical table name prefix; handlers read it as `COORD_TABLE_PREFIX`. */
  readonly tablePrefix: string;
  /** The tables the HTTP handlers use. */
  readonly tables: readonly ITable[];
  /**
   * The queues routes send to, by queue id: each route whose `sends` names one may send to it and
   * learns its URL (`COORD_<ID>_QUEUE_URL`, e.g. `COORD_HEARTBEATS_QUEUE_URL`).
   * @default no queues: routes that send answer 500 (use it for stacks without the messaging stack only)
   */
  readonly queues?: Readonly<Record<string, IQueue>>;
  /**
   * Whether this is a production deployment: the secrets and log groups are kept when the stack is deleted.
   * @default false
   */
  readonly isProd?: boolean;
  /**
   * Request rate limits of the default stage.
   * @default 100 requests per second steady, bursts of 200
   */
  readonly throttle?: ThrottleSettings;
  /**
   * The routes to declare.
   * @default every route of `routes.ts`
   */
  readonly routes?: readonly RouteDefinition[];
  /**
   * Settings shared by every route's function (memory, bundling, project root).
   * @default the CoordFunction defaults
   */
  readonly functionDefaults?: Omit<CoordFunctionProps, 'entry' | 'environment'>;
  /**
   * Origins whose pages may call the API (`*` for any): every HTTP function reads them as
   * `COORD_CORS_ORIGINS`, adds the CORS headers for them and answers their preflight.
   * @default none: no CORS headers
   */
  readonly corsOrigins?: readonly string[];
  /**
   * The Anthropic API key secret (the data stack's): the AI routes read it.
   * @default none: the AI routes answer from the heuristic
   */
  readonly anthropicApiKeySecret?: ISecret;
  /**
   * The GitHub webhook secret (the data stack's): only the function of `POST /v1/integrations/github`
   * reads it (`COORD_GITHUB_WEBHOOK_SECRET_ARN`).
   * @default none: that route answers 403
   */
  readonly githubWebhookSecret?: ISecret;
  /**
   * How long the stage's access log keeps its lines.
   * @default one month
   */
  readonly accessLogRetention?: RetentionDays;
  /**
   * Whether the API is called only through CloudFront (a stage with a per-IP limit): the stack
   * generates an origin secret that CloudFront sends in `x-origin-verify`, and every route's
   * function reads its ARN (`COORD_ORIGIN_SECRET_ARN`) and refuses requests without it.
   * @default false: no origin secret; the API takes requests from anywhere
   */
  readonly originVerify?: boolean;
}

/** The variable the GitHub route's function reads the webhook secret's ARN from. */
export const GITHUB_WEBHOOK_SECRET_VARIABLE = 'COORD_GITHUB_WEBHOOK_SECRET_ARN';

/**
 * One JSON line per request in the HTTP API's access log: the request id (the handlers' `x-request-id`
 * and log correlation id), route, status, latencies, and the integration's own error when it failed.
 */
export const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  method: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  status: '$context.status',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integrationErrorMessage',
  error: '$context.error.message',
};

/** The HTTP API: one Lambda per route, the admin token and registration key secrets, and a throttled stage. */
export class ApiStack extends Stack {
  /** The HTTP API. */
  public readonly httpApi: HttpApi;
  /** The `$default` stage, with throttling. */
  public readonly stage: HttpStage;
  /** The stage's access log: one JSON line per request ({@link ACCESS_LOG_FIELDS}). */
  public readonly accessLogs: LogGroup;
  /** The admin bearer token, generated at deployment. */
  public readonly adminTokenSecret: Secret;
  /** The key agents present to register themselves, generated at deployment. */
  public readonly registrationKeySecret: Secret;
  /** The secret CloudFront sends to the API in `x-origin-verify`, when `originVerify` is set. */
  public readonly originSecret?: Secret;
  /** The Anthropic API key the AI routes read (the data stack's), when one was given. */
  public readonly anthropicApiKeySecret?: ISecret;
  /** The routes and their functions. */
  public readonly routes: HttpRoutes;
  /** `POST /v1/ai/query` on a streaming function URL, when the stack declares that route. */
  public readonly aiQueryStream?: AiQueryStream;
  /** The variables naming the auth secrets, for every function that verifies tokens (here and on the WebSocket API). */
  public readonly authEnvironment: Readonly<Record<string, string>>;
  /** The stage settings every function of this API gets in its environment. */
  public readonly functionEnvironment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    // Tables arrive through exports and Fn::ImportValue: CloudFormation then refuses to delete a
    // table the API still uses, and LocalStack understands them (unlike Fn::GetStackOutput).
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    const removalPolicy = props.isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    // Letters and digits only: the value travels in an Authorization header and must never contain
    // the `.` that separates an issued token's id from its secret.
    const generateSecretString = { excludePunctuation: true, includeSpace: false, passwordLength: 48 };
    this.adminTokenSecret = new Secret(this, 'AdminToken', {
      description: `Admin bearer token of the coord-${props.stage} API`,
      generateSecretString,
      removalPolicy,
    });
    this.registrationKeySecret = new Secret(this, 'RegistrationKey', {
      description: `Agent registration key of the coord-${props.stage} API`,
      generateSecretString,
      removalPolicy,
    });

    this.anthropicApiKeySecret = props.anthropicApiKeySecret;
    if (props.originVerify) {
      // Generated by CloudFormation: the template holds only its ARN, CloudFront a dynamic reference.
      this.originSecret = new Secret(this, 'OriginSecret', {
        description: `Header value CloudFront sends to the coord-${props.stage} API (x-origin-verify)`,
        generateSecretString,
        removalPolicy,
      });
    }

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy,
    });
    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: `coord-${props.stage}`,
      createDefaultStage: false,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 100, burstLimit: 200 },
      // Count, 4xx, 5xx, Latency and IntegrationLatency per route (ApiId, Stage, Route): the
      // dashboard's per-route p50 / p99 latency, as clients see it (see ObservabilityStack).
      detailedMetricsEnabled: true,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    this.authEnvironment = {
      COORD_ADMIN_TOKEN_SECRET_ARN: this.adminTokenSecret.secretArn,
      COORD_REGISTRATION_KEY_SECRET_ARN: this.registrationKeySecret.secretArn,
    };
    this.functionEnvironment = {
      COORD_STAGE: props.stage,
      COORD_TABLE_PREFIX: props.tablePrefix,
      COORD_SERVICE_VERSION: SERVICE_VERSION,
      ...this.authEnvironment,
      ...((props.corsOrigins ?? []).length > 0 && { COORD_CORS_ORIGINS: props.corsOrigins?.join(',') }),
    };
    const functionDefaults = {
      logRemovalPolicy: removalPolicy,
      ...props.functionDefaults,
      environment: this.functionEnvironment,
    };
    this.routes = new HttpRoutes(this, 'Routes', {
      httpApi: this.httpApi,
      tables: props.tables,
      authSecrets: [this.adminTokenSecret, this.registrationKeySecret],
      ...(props.routes && { routes: props.routes }),
      functionDefaults,
    });

    const declared: readonly RouteDefinition[] = props.routes ?? ROUTES;
    if (declared.some((route) => route.id === 'aiQuery')) {
      // API Gateway buffers answers: `?stream=1` streams only from this function URL.
      this.aiQueryStream = new AiQueryStream(this, 'AiQueryStream', {
        tables: props.tables,
        authSecrets: [this.adminTokenSecret, this.registrationKeySecret],
        ...(props.corsOrigins && { corsOrigins: props.corsOrigins }),
        functionDefaults,
      });
      this.grantAnthropicKey(this.aiQueryStream.handler.function);
    }
    for (const route of declared) {
      const handler = this.routes.functions.get(route.id);
      if (route.tag === 'ai' && handler) this.grantAnthropicKey(handler.function);
      if (route.signedBy === 'github' && handler && props.githubWebhookSecret) {
        props.githubWebhookSecret.grantRead(handler);
        handler.function.addEnvironment(GITHUB_WEBHOOK_SECRET_VARIABLE, props.githubWebhookSecret.secretArn);
      }
      // The health assessment reports how many messages wait in each queue and its dead-letter queue.
      if (route.id === 'aiHealth' && handler) this.grantQueueDepths(handler.function, props.tablePrefix);
      if (this.originSecret && handler) {
        this.originSecret.grantRead(handler);
        handler.function.addEnvironment(ORIGIN_SECRET_ARN_VARIABLE, this.originSecret.secretArn);
      }
      for (const queueId of route.sends ?? []) {
        const queue = props.queues?.[queueId];
        if (!queue || !handler) continue;
        queue.grantSendMessages(handler);
        handler.function.addEnvironment(queueUrlVariable(queueId), queue.queueUrl);
      }
    }

    new CfnOutput(this, 'ApiUrl', { value: this.stage.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'AdminTokenSecretArn', {
      value: this.adminTokenSecret.secretArn,
      description: 'Secrets Manager secret holding the admin bearer token',
    });
    if (this.anthropicApiKeySecret) {
      // Kept here too (the secret lives in the data stack) so scripts reading this output still work.
      new CfnOutput(this, 'AnthropicApiKeySecretArn', {
        value: this.anthropicApiKeySecret.secretArn,
        description: 'Secrets Manager secret to put the Anthropic API key in (turns Claude on)',
      });
    }
    if (this.originSecret) {
      new CfnOutput(this, 'OriginSecretArn', {
        value: this.originSecret.secretArn,
        description:
          'Secrets Manager secret CloudFront sends to the API as x-origin-verify (README, rotation)',
      });
    }
    new CfnOutput(this, 'RegistrationKeySecretArn', {
      value: this.registrationKeySecret.secretArn,
      description: 'Secrets Manager secret holding the agent registration key',
    });
  }

  /** Lets `fn` read the depth of every queue of the deployment and of its dead-letter queue. */
  public grantQueueDepths(fn: LambdaFunction, prefix: string): void {
    const names = QUEUES.flatMap((queue) => [queueName(prefix, queue), deadLetterQueueName(prefix, queue)]);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['sqs:GetQueueUrl', 'sqs:GetQueueAttributes'],
        resources: names.map((name) =>
          this.formatArn({ service: 'sqs', resource: name, arnFormat: ArnFormat.NO_RESOURCE_NAME }),
        ),
      }),
    );
  }

  /** Lets `fn` call Claude with the data stack's key, when the stack was given it. */
  public grantAnthropicKey(fn: LambdaFunction): void {
    if (this.anthropicApiKeySecret) grantAnthropicKey(this.anthropicApiKeySecret, fn);
  }
}
