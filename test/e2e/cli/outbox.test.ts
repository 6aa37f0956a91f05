/**
 * No lost report: `coord complete` while the service is away (its answer lost, or the request
 * never arriving) keeps the report in the outbox; once the service is back the next command
 * sends it again with the same Idempotency-Key, and the completion is applied exactly once.
 * A proxy in front of the local stack plays the outage, so the shared stack keeps running.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditEvents,
  createWork,
  getWork,
  registerAgent,
  stackClients,
  uniqueName,
} from '#test/support/e2e-fixtures';
import { coordMachine } from './coord';

/** `pass`: forwards; `lose-answer`: forwards, then hangs up before the answer; `down`: hangs up at once. */
type Mode = 'pass' | 'lose-answer' | 'down';

let proxy: Server;
let proxyUrl: string;
let mode: Mode = 'pass';

beforeAll(async () => {
  const target = new URL(stackClients().url);
  proxy = createServer((incoming, outgoing) => {
    if (mode === 'down') {
      incoming.socket.destroy();
      return;
    }
    const forwarded = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        if (mode === 'lose-answer') {
          answer.resume();
          answer.once('end', () => incoming.socket.destroy());
          return;
        }
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.once('error', () => incoming.socket.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => proxy.close(resolve));
});

const completions = async (workId: string) =>
  (await auditEvents({ entityId: workId })).filter((event) => event.action === 'work.completed');

/** An agent holding a fresh item, claimed through `coord` so its claim token is saved. */
const holding = async () => {
  mode = 'pass';
  const team = uniqueName('outbox');
  const agent = await registerAgent(team);
  const item = await createWork(team);
  const machine = coordMachine('none');
  const asAgent = { COORD_URL: proxyUrl, AGENT_ID: agent.id, COORD_AGENT_TOKEN: agent.token };
  const claimed = await machine.run(['claim', item.id], asAgent);
  expect(claimed.code, claimed.stderr).toBe(0);
  return { machine, asAgent, item };
};

describe('the outbox of coord', () => {
  it('keeps a completion whose answer was lost and sends it again once; the service applies it once', async () => {
    const { machine, asAgent, item } = await holding();

    // Act: the answer is lost (the service applied it), then the service is reachable again
    mode = 'lose-answer';
    const lost = await machine.run(['complete', item.id, 'success'], asAgent);
    const waiting = await machine.run(['outbox', '--json'], asAgent);
    mode = 'pass';
    const next = await machine.run(['list-work', '--json'], asAgent);
    const after = await machine.run(['outbox', '--json'], asAgent);

    // Assert
    expect(lost.code).toBe(1);
    expect(lost.stderr).toContain('kept in the outbox');
    const kept = JSON.parse(waiting.stdout) as { items: { method: string; path: string; key: string }[] };
    expect(kept.items).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: `/v1/work/${item.id}/complete`,
        key: expect.any(String),
      }),
    ]);
    expect(kept.items[0]).not.toHaveProperty('token');
    expect(waiting.code).toBe(1);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain(`sent POST /v1/work/${item.id}/complete from the outbox`);
    expect(JSON.parse(after.stdout)).toEqual({ items: [] });
    expect(after.code).toBe(0);
    expect((await getWork(item.id)).status).toBe('completed');
    expect(await completions(item.id)).toHaveLength(1);
  });

  it('keeps a completion the service never received and applies it when the service is back', async () => {
    const { machine, asAgent, item } = await holding();

    mode = 'down';
    const failed = await machine.run(['complete', item.id, 'success', '5'], asAgent);
    const whileDown = await getWork(item.id);
    mode = 'pass';
    const replayed = await machine.run(['outbox', '--replay'], asAgent);
    const again = await machine.run(['outbox', '--replay'], asAgent);

    expect(failed.code).toBe(1);
    expect(whileDown.status).toBe('claimed');
    expect(replayed.code, replayed.stdout + replayed.stderr).toBe(0);
    expect(replayed.stdout).toContain('Sent 1, refused 0');
    expect(again.stdout).toContain('Sent 0, refused 0');
    const done = await getWork(item.id);
    expect(done).toMatchObject({ status: 'completed', result: { result: 'success', velocityPoints: 5 } });
    expect(await completions(item.id)).toHaveLength(1);
  });
});
