/**
 * What API Gateway (HTTP API, payload format 2.0) and the Lambda runtime hand a function:
 * the event built from an incoming request, the invocation context, and the reading of the
 * function's result back into an HTTP answer. The local gateway uses these so the handlers
 * see exactly the shapes they see on AWS.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyResultV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';

/** The request as the gateway read it off the socket. */
export interface RawRequest {
  readonly method: string;
  /** Path as sent, still percent-encoded, without the query string. */
  readonly rawPath: string;
  /** Query string as sent, without `?`. */
  readonly rawQueryString: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly protocol: string;
}

/** The route the request matched. */
export interface MatchedRoute {
  /** `METHOD /path/{param}`, as API Gateway names routes. */
  readonly routeKey: string;
  readonly pathParameters: Readonly<Record<string, string>>;
}

/** Identity of the emulated API, as it appears in `requestContext`. */
export interface ApiIdentity {
  readonly accountId: string;
  readonly apiId: string;
}

/** Identity used when none is given: the account id LocalStack and the emulators use. */
export const LOCAL_API: ApiIdentity = { accountId: '000000000000', apiId: 'local' };

// Content types API Gateway passes through as text; any other body arrives base64-encoded.
const TEXT_CONTENT_TYPE =
  /^(text\/|application\/(json|.*\+json|xml|.*\+xml|x-www-form-urlencoded|javascript))/i;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number): string => String(n).padStart(2, '0');

/** `requestContext.time` format: `12/Mar/2020:19:03:58 +0000`. */
const requestTime = (at: Date): string =>
  `${pad(at.getUTCDate())}/${MONTHS[at.getUTCMonth()]}/${at.getUTCFullYear()}:` +
  `${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())} +0000`;

/** Repeated headers and query parameters are joined with commas, as payload 2.0 does. */
const joined = (value: string | readonly string[]): string =>
  typeof value === 'string' ? value : value.join(',');

const eventHeaders = (headers: IncomingHttpHeaders): Record<string, string> => {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name === 'cookie') continue;
    result[name.toLowerCase()] = joined(value);
  }
  return result;
};

const cookiesOf = (headers: IncomingHttpHeaders): string[] | undefined => {
  const cookie = headers.cookie;
  if (!cookie) return undefined;
  return cookie
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
};

const decode = (text: string): string => {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
};

const queryParameters = (rawQueryString: string): Record<string, string> | undefined => {
  if (rawQueryString === '') return undefined;
  const values = new Map<string, string[]>();
  for (const pair of rawQueryString.split('&')) {
    if (pair === '') continue;
    const at = pair.indexOf('=');
    const name = decode(at === -1 ? pair : pair.slice(0, at));
    const value = at === -1 ? '' : decode(pair.slice(at + 1));
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  return values.size === 0 ? undefined : Object.fromEntries([...values].map(([k, v]) => [k, joined(v)]));
};

const bodyOf = (request: RawRequest): Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'> => {
  if (request.body.length === 0) return { isBase64Encoded: false };
  const contentType = joined(request.headers['content-type'] ?? '');
  return contentType === '' || TEXT_CONTENT_TYPE.test(contentType)
    ? { body: request.body.toString('utf8'), isBase64Encoded: false }
    : { body: request.body.toString('base64'), isBase64Encoded: true };
};

/** Builds the payload 2.0 event API Gateway sends a Lambda integration for this request. */
export const httpApiEvent = (
  request: RawRequest,
  route: MatchedRoute,
  requestId: string,
  api: ApiIdentity = LOCAL_API,
  at: Date = new Date(),
): APIGatewayProxyEventV2 => {
  const headers = eventHeaders(request.headers);
  const host = headers.host ?? 'localhost';
  const cookies = cookiesOf(request.headers);
  const queryStringParameters = queryParameters(request.rawQueryString);
  const hasParameters = Object.keys(route.pathParameters).length > 0;
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: request.rawPath,
    rawQueryString: request.rawQueryString,
    ...(cookies ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    ...(hasParameters ? { pathParameters: { ...route.pathParameters } } : {}),
    requestContext: {
      accountId: api.accountId,
      apiId: api.apiId,
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      http: {
        method: request.method,
        path: request.rawPath,
        protocol: request.protocol,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: route.routeKey,
      stage: '$default',
      time: requestTime(at),
      timeEpoch: at.getTime(),
    },
    ...bodyOf(request),
  };
};

/** A Lambda invocation context for one call of `functionName`, timing out after `timeoutMs`. */
export const lambdaContext = (functionName: string, timeoutMs: number, region: string): Context => {
  const deadline = Date.now() + timeoutMs;
  const unsupported = (what: string) => () => {
    throw new Error(`context.${what}() is a legacy callback API; return a promise instead`);
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${LOCAL_API.accountId}:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
};

/** An HTTP answer ready to write. */
export interface HttpAnswer {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly cookies: readonly string[];
  readonly body: Buffer;
  /** A body the function is still writing (a streamed reply): sent piece by piece as it comes. */
  readonly stream?: Readable;
}

const isStructured = (result: object): result is APIGatewayProxyStructuredResultV2 => 'statusCode' in result;

/**
 * Reads a function's result as API Gateway does for payload 2.0: a structured result is used
 * as is; a string or any other JSON value becomes a 200 JSON answer.
 */
export const answerOf = (result: APIGatewayProxyResultV2<unknown>): HttpAnswer => {
  if (result !== null && typeof result === 'object' && isStructured(result)) {
    const headers = Object.fromEntries(
      Object.entries(result.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]),
    );
    const body: unknown = result.body ?? '';
    if (body instanceof Readable) {
      return {
        statusCode: result.statusCode ?? 200,
        headers,
        cookies: result.cookies ?? [],
        body: Buffer.alloc(0),
        stream: body,
      };
    }
    return {
      statusCode: result.statusCode ?? 200,
      headers,
      cookies: result.cookies ?? [],
      body: Buffer.from(String(body), result.isBase64Encoded ? 'base64' : 'utf8'),
    };
  }
  const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    cookies: [],
    body: Buffer.from(body, 'utf8'),
  };
};

/** A fresh request id, unique per request like API Gateway's. */
export const newRequestId = (): string => randomUUID();
