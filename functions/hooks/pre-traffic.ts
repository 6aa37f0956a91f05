/**
 * CodeDeploy's pre-traffic hook of the health route's canary: before any traffic shifts to the
 * new version, it invokes that version (`COORD_HOOK_TARGET`, the version's ARN, set by CDK) with
 * the API Gateway event of `GET /v1/health` and reports the lifecycle event Succeeded only when
 * the answer is 200. Anything else (an error, a crash, another status, no answer) reports
 * Failed, which stops the deployment and rolls it back before callers see the new version.
 * A deployment tool rather than a service entry point: it builds its own CodeDeploy and Lambda
 * clients and reads its one variable itself (biome.json exempts functions/hooks/ from the
 * entry-point rules).
 */
import {
  CodeDeployClient,
  LifecycleEventStatus,
  PutLifecycleEventHookExecutionStatusCommand,
} from '@aws-sdk/client-codedeploy';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';

/** What CodeDeploy passes a lifecycle hook. */
export interface HookEvent {
  readonly DeploymentId: string;
  readonly LifecycleEventHookExecutionId: string;
}

/** The variable naming the function version the hook probes. */
export const HOOK_TARGET_VARIABLE = 'COORD_HOOK_TARGET';

/** The path the hook asks the new version for. */
export const PROBED_PATH = '/v1/health';

/** The HTTP API (payload 2.0) event of `GET /v1/health`, as API Gateway would send it. */
export const healthEvent = (requestId: string, now: Date): Record<string, unknown> => ({
  version: '2.0',
  routeKey: `GET ${PROBED_PATH}`,
  rawPath: PROBED_PATH,
  rawQueryString: '',
  headers: { 'user-agent': 'coord-pre-traffic-hook' },
  requestContext: {
    http: {
      method: 'GET',
      path: PROBED_PATH,
      protocol: 'HTTP/1.1',
      sourceIp: '127.0.0.1',
      userAgent: 'coord-pre-traffic-hook',
    },
    requestId,
    routeKey: `GET ${PROBED_PATH}`,
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
): Promise<string | undefined> => {
  try {
    const answer = await lambda.send(
      new InvokeCommand({
        FunctionName: target,
        Payload: new TextEncoder().encode(JSON.stringify(healthEvent(requestId, now))),
      }),
    );
    if (answer.FunctionError) return `the new version failed: ${answer.FunctionError}`;
    const text = new TextDecoder().decode(answer.Payload ?? new Uint8Array());
    const statusCode = (JSON.parse(text || 'null') as { statusCode?: unknown } | null)?.statusCode;
    return statusCode === 200 ? undefined : `GET ${PROBED_PATH} answered ${String(statusCode)}`;
  } catch (error) {
    return `the new version could not be invoked: ${error instanceof Error ? error.message : String(error)}`;
  }
};

/** The clients a hook uses. */
export interface HookClients {
  readonly lambda: Pick<LambdaClient, 'send'>;
  readonly codeDeploy: Pick<CodeDeployClient, 'send'>;
}

/**
 * The hook's handler for these clients and target.
 * @returns the status reported to CodeDeploy
 */
export const createHandler =
  (clients: HookClients, target: string | undefined) =>
  async (event: HookEvent): Promise<LifecycleEventStatus> => {
    const failure = target
      ? await probeFailure(clients.lambda, target, `pre-traffic-${event.DeploymentId}`, new Date())
      : `${HOOK_TARGET_VARIABLE} is not set`;
    const status = failure ? LifecycleEventStatus.FAILED : LifecycleEventStatus.SUCCEEDED;
    if (failure) console.error(JSON.stringify({ message: 'Pre-traffic check failed', reason: failure }));
    await clients.codeDeploy.send(
      new PutLifecycleEventHookExecutionStatusCommand({
        deploymentId: event.DeploymentId,
        lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId,
        status,
      }),
    );
    return status;
  };

export const handler = createHandler(
  { lambda: new LambdaClient({}), codeDeploy: new CodeDeployClient({}) },
  process.env[HOOK_TARGET_VARIABLE],
);
