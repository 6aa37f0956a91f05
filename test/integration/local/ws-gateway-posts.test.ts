/**
 * The local WebSocket server's two ways for handlers to post to its connections: in process
 * (the default) and over HTTP through the real management client against its `@connections`
 * endpoint (`COORD_LOCAL_WS_POSTS=http`). Both deliver the frame and both say `gone` for a
 * connection that closed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createConnectionNotifier, createManagementClient } from '#adapters/realtime/connection-notifier';
import { inProcessNotifier } from '#adapters/realtime/in-process-notifier';
import type { ConnectionNotifier } from '#core/realtime/ports';
import { startWsGateway, type WsGateway } from '#local/ws-gateway';

let gateway: WsGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

/** A gateway whose routes accept every connection and ignore frames. */
const acceptingGateway = (inProcessPosts?: boolean) =>
  startWsGateway({
    port: 0,
    onFailure: () => undefined,
    ...(inProcessPosts === undefined ? {} : { inProcessPosts }),
    loadHandler: async () => async () => ({ statusCode: 200 }),
  });

/** Connects a client; resolves with it and the id the gateway gave its connection. */
const connect = async (started: WsGateway) => {
  const before = new Set(started.connectionIds());
  const socket = new WebSocket(started.url);
  const frames: string[] = [];
  socket.on('message', (data) => frames.push(data.toString()));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const deadline = Date.now() + 5000;
  const newId = () => started.connectionIds().find((known) => !before.has(known));
  while (!newId() && Date.now() < deadline) await new Promise((wake) => setTimeout(wake, 10));
  const id = newId();
  if (!id) throw new Error('the gateway did not register the connection');
  return { socket, frames, id };
};

const received = async (frames: string[], count: number) => {
  const deadline = Date.now() + 5000;
  while (frames.length < count && Date.now() < deadline) await new Promise((wake) => setTimeout(wake, 10));
  return frames;
};

const closed = async (socket: WebSocket, started: WsGateway, id: string) => {
  socket.close();
  const deadline = Date.now() + 5000;
  while (started.connectionIds().includes(id) && Date.now() < deadline)
    await new Promise((wake) => setTimeout(wake, 10));
};

describe('local WebSocket server posts', () => {
  it('serves its management endpoint in process by default: frames reach the socket, closed is gone', async () => {
    gateway = await acceptingGateway();
    const notifier = inProcessNotifier(gateway.callbackUrl) as ConnectionNotifier;
    expect(notifier).toBeDefined();
    const client = await connect(gateway);

    expect(await notifier.post(client.id, '{"type":"work.claimed","seq":1}')).toBe('sent');
    expect(await received(client.frames, 1)).toEqual(['{"type":"work.claimed","seq":1}']);

    await closed(client.socket, gateway, client.id);
    expect(await notifier.post(client.id, '{"type":"work.claimed","seq":2}')).toBe('gone');
  });

  it('stops serving in process when it closes', async () => {
    const started = await acceptingGateway();
    const { callbackUrl } = started;

    await started.close();

    expect(inProcessNotifier(callbackUrl)).toBeUndefined();
  });

  it('leaves posts to the management client over HTTP when told to', async () => {
    gateway = await acceptingGateway(false);
    expect(inProcessNotifier(gateway.callbackUrl)).toBeUndefined();
    const client = await createManagementClient({
      region: 'us-east-1',
      endpoint: gateway.callbackUrl,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const notifier = createConnectionNotifier(async () => client);
    const ws = await connect(gateway);

    expect(await notifier.post(ws.id, '{"type":"work.claimed","seq":1}')).toBe('sent');
    expect(await received(ws.frames, 1)).toEqual(['{"type":"work.claimed","seq":1}']);

    await closed(ws.socket, gateway, ws.id);
    expect(await notifier.post(ws.id, '{"type":"work.claimed","seq":2}')).toBe('gone');
    client.destroy();
  });
});
