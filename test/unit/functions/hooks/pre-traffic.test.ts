/**
 * The pre-traffic hook against mocked Lambda and CodeDeploy clients: neither service has an
 * emulator here, and what matters is which status the hook reports for each answer.
 */
import { CodeDeployClient, PutLifecycleEventHookExecutionStatusCommand } from '@aws-sdk/client-codedeploy';
import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createHandler, PROBED_PATH } from '#functions/hooks/pre-traffic';
import { ORIGIN_VERIFY_HEADER } from '#functions/shared/origin-header';

const lambda = mockClient(LambdaClient);
const codeDeploy = mockClient(CodeDeployClient);
const TARGET = 'arn:aws:lambda:eu-west-1:123456789012:function:health:7';
const EVENT = { DeploymentId: 'd-123', LifecycleEventHookExecutionId: 'hook-1' };
// The SDK wraps answers in a blob adapter; the hook reads it as the Uint8Array it is.
const payload = (value: unknown) =>
  new TextEncoder().encode(JSON.stringify(value)) as InvokeCommandOutput['Payload'];
const run = (target: string | undefined = TARGET) =>
  createHandler({ lambda: new LambdaClient({}), codeDeploy: new CodeDeployClient({}) }, target)(EVENT);
const reported = () =>
  codeDeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand).map((call) => call.args[0].input);

describe('pre-traffic hook', () => {
  afterEach(() => {
    lambda.reset();
    codeDeploy.reset();
  });

  it('invokes the new version with GET /v1/health and reports Succeeded on a 200', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload({ statusCode: 200, body: '{}' }) });

    expect(await run()).toBe('Succeeded');
    const invoked = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(invoked?.FunctionName).toBe(TARGET);
    const event = JSON.parse(new TextDecoder().decode(invoked?.Payload as Uint8Array));
    expect(event).toMatchObject({ version: '2.0', rawPath: PROBED_PATH, routeKey: `GET ${PROBED_PATH}` });
    expect(event.requestContext.http.method).toBe('GET');
    expect(reported()).toEqual([
      { deploymentId: 'd-123', lifecycleEventHookExecutionId: 'hook-1', status: 'Succeeded' },
    ]);
  });

  it.each([
    ['a 503', { StatusCode: 200, Payload: payload({ statusCode: 503 }) }],
    ['a crash', { StatusCode: 200, FunctionError: 'Unhandled', Payload: payload({ errorMessage: 'boom' }) }],
    ['no answer body', { StatusCode: 200 }],
  ])('reports Failed on %s', async (_what, answer) => {
    lambda.on(InvokeCommand).resolves(answer);

    expect(await run()).toBe('Failed');
    expect(reported()).toEqual([expect.objectContaining({ status: 'Failed' })]);
  });

  it('reports Failed when the version cannot be invoked', async () => {
    lambda.on(InvokeCommand).rejects(new Error('ResourceNotFoundException'));

    expect(await run()).toBe('Failed');
    expect(reported()).toEqual([expect.objectContaining({ status: 'Failed' })]);
  });

  it('reports Failed without invoking anything when it was not told its target', async () => {
    expect(await run('')).toBe('Failed');
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
    expect(reported()).toEqual([expect.objectContaining({ status: 'Failed' })]);
  });

  describe('on a stage whose API sits behind CloudFront (an origin secret)', () => {
    const runWith = (originSecret: () => Promise<string>) =>
      createHandler(
        { lambda: new LambdaClient({}), codeDeploy: new CodeDeployClient({}), originSecret },
        TARGET,
      )(EVENT);
    const sentHeaders = () => {
      const invoked = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
      return JSON.parse(new TextDecoder().decode(invoked?.Payload as Uint8Array)).headers;
    };

    it('sends the origin secret in x-origin-verify, as CloudFront does', async () => {
      lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload({ statusCode: 200 }) });

      expect(await runWith(async () => 'the-origin-secret')).toBe('Succeeded');
      expect(sentHeaders()).toEqual({
        'user-agent': 'coord-pre-traffic-hook',
        [ORIGIN_VERIFY_HEADER]: 'the-origin-secret',
      });
    });

    it('reports Failed without invoking the version when the secret cannot be read', async () => {
      expect(await runWith(() => Promise.reject(new Error('AccessDeniedException')))).toBe('Failed');
      expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
      expect(reported()).toEqual([expect.objectContaining({ status: 'Failed' })]);
    });
  });

  it('sends no origin header on a stage without an origin secret', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload({ statusCode: 200 }) });

    await run();
    const invoked = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    const event = JSON.parse(new TextDecoder().decode(invoked?.Payload as Uint8Array));
    expect(event.headers).toEqual({ 'user-agent': 'coord-pre-traffic-hook' });
  });
});
