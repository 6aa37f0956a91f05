import {
  ApiGatewayManagementApiClient,
  ApiGatewayManagementApiServiceException,
  GoneException,
  LimitExceededException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createConnectionNotifier } from '#adapters/realtime/connection-notifier';
import { UnavailableError } from '#core/errors';

const client = new ApiGatewayManagementApiClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' });
const management = mockClient(client);
const notifier = createConnectionNotifier(async () => client);

afterEach(() => management.reset());

describe('createConnectionNotifier', () => {
  it('posts the payload to the named connection', async () => {
    management.on(PostToConnectionCommand).resolves({});

    expect(await notifier.post('conn-1', '{"type":"pong"}')).toBe('sent');

    const [call] = management.commandCalls(PostToConnectionCommand);
    expect(call?.args[0].input.ConnectionId).toBe('conn-1');
    expect(Buffer.from(call?.args[0].input.Data as Uint8Array).toString()).toBe('{"type":"pong"}');
  });

  it('answers gone for a connection API Gateway no longer has', async () => {
    management.on(PostToConnectionCommand).rejects(new GoneException({ message: 'gone', $metadata: {} }));

    expect(await notifier.post('conn-1', 'x')).toBe('gone');
  });

  it('throws UnavailableError when throttled', async () => {
    management
      .on(PostToConnectionCommand)
      .rejects(new LimitExceededException({ message: 'slow down', $metadata: { httpStatusCode: 429 } }));

    await expect(notifier.post('conn-1', 'x')).rejects.toThrow(UnavailableError);
  });

  it('throws UnavailableError when the management API fails with 5xx', async () => {
    management.on(PostToConnectionCommand).rejects(
      new ApiGatewayManagementApiServiceException({
        name: 'InternalServerError',
        $fault: 'server',
        message: 'boom',
        $metadata: { httpStatusCode: 500 },
      }),
    );

    await expect(notifier.post('conn-1', 'x')).rejects.toThrow(UnavailableError);
  });

  it('fails without calling it unavailable when a message is refused for good', async () => {
    management.on(PostToConnectionCommand).rejects(
      new ApiGatewayManagementApiServiceException({
        name: 'PayloadTooLargeException',
        $fault: 'client',
        message: 'too large',
        $metadata: { httpStatusCode: 413 },
      }),
    );

    const outcome = notifier.post('conn-1', 'x');

    await expect(outcome).rejects.toThrow(/refused \(413\)/);
    await expect(outcome).rejects.not.toThrow(UnavailableError);
  });
});
