/**
 * CodeDeploy's pre-traffic hook of a route's canary: before any traffic shifts to the new
 * version, it invokes that version (`COORD_HOOK_TARGET`, the version's ARN, set by CDK) with the
 * API Gateway event of `GET <COORD_HOOK_PATH>` and reports the lifecycle event Succeeded only
 * when the answer is 200. Anything else (an error, a crash, another status, no answer) reports
 * Failed, which stops the deployment and rolls it back before callers see the new version.
 * Two canaries have one: `GET /v1/health` (its answer includes a store check) and the read route
 * `GET /openapi.json`. On a stage whose API sits behind CloudFront's per-IP limit, the hook reads
 * the origin secret and sends it as CloudFront does (the version refuses requests without it).
 * Both routes are public, so the hook sends no token and needs no other secret: a probe
 * of a route that needs a token would have to read the admin token from Secrets Manager, and a
 * deployment tool holding the admin token is a larger risk than the check is worth.
 * A deployment tool rather than a service entry point: it builds its own CodeDeploy and Lambda
 * clients and reads its variables itself (biome.json exempts functions/hooks/ from the
 * entry-point rules).
 */
import {
  CodeDeployClient,
  LifecycleEventStatus,
  PutLifecycleEventHookExecutionStatusCommand,
} from '@aws-sdk/client-codedeploy';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ORIGIN_SECRET_ARN_VARIABLE, ORIGIN_VERIFY_HEADER } from '../shared/origin-header';

/** What CodeDeploy passes a lifecycle hook. */
export interface HookEvent {
  readonly DeploymentId: string;
  readonly LifecycleEventHookExecutionId: string;
}

/** The variable naming the function version the hook probes. */
export const HOOK_TARGET_VARIABLE = 'COORD_HOOK_TARGET';

/** The variable naming the path the hook asks for. */
export const HOOK_PATH_VARIABLE = 'COORD_HOOK_PATH';

/** The path the hook asks the new version for when no other is set. */
export const PROBED_PATH = '/v1/health';

/** The HTTP API (payload 2.0) event of `GET <path>`, as API Gateway would send it. */
export const probeEvent = (
  path: string,
  requestId: string,
  now: Date,
  headers: Readonly<Record<string, string>> = {},
): Record<string, unknown> => ({
  version: '2.0',
  routeKey: `GET ${path}`,
  rawPath: path,
  rawQueryString: '',
  headers: { 'user-agent': 'coord-pre-traffic-hook', ...headers },
  requestContext: {
    http: {
      method: 'GET',
      path,
      protocol: 'HTTP/1.1',
      sourceIp: '127.0.0.1',
      userAgent: 'coord-pre-traffic-hook',
    },
    requestId,
    routeKey: `GET ${path}`,
    stage: '$default',
    timeEpoch: now.getTime(),
  },
  isBase64Encoded: false,
});

/** Why the probed version is not fit for traffic, or `undefined` when it answered 200. */
export const probeFailure = async (
  lambda: Pick<LambdaClient, 'send'>,
  target: string,
  requestId: string,
  now: Date,
  path: string = PROBED_PATH,
  headers: Readonly<Record<string, string>> = {},
): Promise<string | undefined> => {
  try {
    const answer = await lambda.send(
      new InvokeCommand({
        FunctionName: target,
        Payload: new TextEncoder().encode(JSON.stringify(probeEvent(path, requestId, now, headers))),
      }),
    );
    if (answer.FunctionError) return `the new version failed: ${answer.FunctionError}`;
    const text = new TextDecoder().decode(answer.Payload ?? new Uint8Array());
    const statusCode = (JSON.parse(text || 'null') as { statusCode?: unknown } | null)?.statusCode;
    return statusCode === 200 ? undefined : `GET ${path} answered ${String(statusCode)}`;
  } catch (error) {
    return `the new version could not be invoked: ${error instanceof Error ? error.message : String(error)}`;
  }
};

/** The clients a hook uses. */
export interface HookClients {
  readonly lambda: Pick<LambdaClient, 'send'>;
  readonly codeDeploy: Pick<CodeDeployClient, 'send'>;
  /**
   * The origin secret the probed version expects in `x-origin-verify` on a stage whose API sits
   * behind CloudFront's per-IP limit. @default none: the probe sends no such header
   */
  readonly originSecret?: () => Promise<string>;
}

/** The origin header of a probe, or why the origin secret could not be read. */
const originHeaders = async (
  clients: HookClients,
): Promise<{ headers: Record<string, string> } | { failure: string }> => {
  if (!clients.originSecret) return { headers: {} };
  try {
    return { headers: { [ORIGIN_VERIFY_HEADER]: await clients.originSecret() } };
  } catch (error) {
    return {
      failure: `the origin secret could not be read: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
};

/**
 * The hook's handler for these clients, target and path.
 * @returns the status reported to CodeDeploy
 */
export const createHandler =
  (clients: HookClients, target: string | undefined, path: string = PROBED_PATH) =>
  async (event: HookEvent): Promise<LifecycleEventStatus> => {
    const origin = await originHeaders(clients);
    const failure = !target
      ? `${HOOK_TARGET_VARIABLE} is not set`
      : 'failure' in origin
        ? origin.failure
        : await probeFailure(
            clients.lambda,
            target,
            `pre-traffic-${event.DeploymentId}`,
            new Date(),
            path,
            origin.headers,
          );
    const status = failure ? LifecycleEventStatus.FAILED : LifecycleEventStatus.SUCCEEDED;
    if (failure)
      console.error(JSON.stringify({ message: 'Pre-traffic check failed', path, reason: failure }));
    await clients.codeDeploy.send(
      new PutLifecycleEventHookExecutionStatusCommand({
        deploymentId: event.DeploymentId,
        lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId,
        status,
      }),
    );
    return status;
  };

// On a stage with a per-IP limit: the hook sends this secret's value as CloudFront does.
const originSecretArn = process.env[ORIGIN_SECRET_ARN_VARIABLE];

export const handler = createHandler(
  {
    lambda: new LambdaClient({}),
    codeDeploy: new CodeDeployClient({}),
    ...(originSecretArn && {
      originSecret: async () => {
        const answer = await new SecretsManagerClient({}).send(
          new GetSecretValueCommand({ SecretId: originSecretArn }),
        );
        if (!answer.SecretString) throw new Error(`Secret ${originSecretArn} holds no string value.`);
        return answer.SecretString;
      },
    }),
  },
  process.env[HOOK_TARGET_VARIABLE],
  process.env[HOOK_PATH_VARIABLE] || PROBED_PATH,
);
