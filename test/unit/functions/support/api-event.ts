/**
 * Hand-built API Gateway HTTP API (payload 2.0) events and Lambda contexts, for invoking
 * handlers the way API Gateway does, and reading their answers back.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

/** What a test says about a request. */
export interface EventOptions {
  readonly method: string;
  /** The concrete path, e.g. `/v1/work/wi_1/claim`. */
  readonly path: string;
  /** The route's path template, e.g. `/v1/work/{id}/claim`. @default `path` */
  readonly routePath?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** An object is sent as JSON with `content-type: application/json`; a string as is. */
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string>>;
  /** The query string as sent. @default built from `query` */
  readonly rawQueryString?: string;
  readonly pathParameters?: Readonly<Record<string, string>>;
  readonly token?: string;
  readonly requestId?: string;
  readonly isBase64Encoded?: boolean;
}

/** A payload 2.0 event as API Gateway builds it (lower-case header names). */
export const apiEvent = (options: EventOptions): APIGatewayProxyEventV2 => {
  const headers: Record<string, string> = {};
  if (options.body !== undefined && typeof options.body !== 'string')
    headers['content-type'] = 'application/json';
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
  const body =
    options.body === undefined || typeof options.body === 'string'
      ? options.body
      : JSON.stringify(options.body);
  const query = options.query ?? {};
  const routeKey = `${options.method} ${options.routePath ?? options.path}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: options.path,
    rawQueryString: options.rawQueryString ?? new URLSearchParams(query).toString(),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: { ...query } } : {}),
    ...(options.pathParameters ? { pathParameters: { ...options.pathParameters } } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'test',
      domainName: 'test.local',
      domainPrefix: 'test',
      http: {
        method: options.method,
        path: options.path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'vitest',
      },
      requestId: options.requestId ?? randomUUID(),
      routeKey,
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: Date.UTC(2026, 0, 1),
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
};

/** A fresh Lambda context, one per invocation as Lambda makes them. */
export const lambdaContext = (functionName = 'coord-test'): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
  memoryLimitInMB: '1024',
  awsRequestId: randomUUID(),
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: 'test',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

/** A handler's answer with its body parsed. */
export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  // biome-ignore lint/suspicious/noExplicitAny: answers are inspected field by field in assertions
  readonly body: any;
}

/** Reads a structured result as a client would. */
export const answerOf = (result: APIGatewayProxyStructuredResultV2): Answer => ({
  status: result.statusCode ?? 200,
  headers: Object.fromEntries(
    Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
  ),
  body: result.body === undefined || result.body === '' ? undefined : JSON.parse(result.body),
});

/** Something that handles payload 2.0 events. */
export type EventHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** Invokes a handler with a fresh context and reads its answer. */
export const invoke = async (handler: EventHandler, options: EventOptions): Promise<Answer> =>
  answerOf(await handler(apiEvent(options), lambdaContext()));
