import { CfnOutput, Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { FunctionUrl, FunctionUrlAuthType, HttpMethod, InvokeMode } from 'aws-cdk-lib/aws-lambda';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { AI_QUERY_STREAM_ENTRY } from '../bundle';
import { grantTable } from '../table-access';
import { CoordFunction, type CoordFunctionProps } from './coord-function';

export { AI_QUERY_STREAM_ENTRY };

/**
 * How long one streamed answer may take: Claude's tool turns one after another, longer than API
 * Gateway's 29 seconds (a function URL has no such limit).
 */
export const AI_QUERY_STREAM_TIMEOUT = Duration.minutes(2);

/** Properties of an {@link AiQueryStream}. */
export interface AiQueryStreamProps {
  /** The tables the query reads (and the Meta table, where the AI gate keeps its state). */
  readonly tables: readonly ITable[];
  /** Secrets bearer tokens are checked against (the admin token, the registration key). */
  readonly authSecrets: readonly ISecret[];
  /**
   * Origins whose pages may call the URL (`*` for any).
   * @default none: no CORS
   */
  readonly corsOrigins?: readonly string[];
  /** Settings of the function: the environment the HTTP routes get, memory, bundling, project root. */
  readonly functionDefaults?: Omit<CoordFunctionProps, 'entry' | 'timeout'>;
}

/**
 * `POST /v1/ai/query` on a Lambda function URL with response streaming, so `?stream=1` sends each
 * piece of Claude's answer as it is written (API Gateway HTTP APIs buffer whole answers). The URL
 * has no IAM auth: the handler checks the bearer token as every HTTP route does.
 */
export class AiQueryStream extends Construct {
  /** The function behind the URL. */
  public readonly handler: CoordFunction;
  /** The function URL. */
  public readonly url: FunctionUrl;

  constructor(scope: Construct, id: string, props: AiQueryStreamProps) {
    super(scope, id);
    this.handler = new CoordFunction(this, 'Function', {
      ...props.functionDefaults,
      entry: AI_QUERY_STREAM_ENTRY,
      timeout: AI_QUERY_STREAM_TIMEOUT,
    });
    // As the HTTP route: it reads the live state and keeps the shared AI gate in the Meta table.
    for (const table of props.tables) grantTable(table, this.handler, 'readWrite');
    for (const secret of props.authSecrets) secret.grantRead(this.handler);
    const origins = props.corsOrigins ?? [];
    this.url = new FunctionUrl(this, 'Url', {
      function: this.handler.target,
      authType: FunctionUrlAuthType.NONE,
      invokeMode: InvokeMode.RESPONSE_STREAM,
      ...(origins.length > 0 && {
        cors: {
          allowedOrigins: [...origins],
          allowedMethods: [HttpMethod.POST],
          allowedHeaders: ['authorization', 'content-type'],
        },
      }),
    });
    new CfnOutput(this, 'AiQueryStreamUrl', {
      key: 'AiQueryStreamUrl',
      value: this.url.url,
      description:
        'Function URL answering POST /v1/ai/query with ?stream=1 as a live stream of server-sent events',
    });
  }
}
