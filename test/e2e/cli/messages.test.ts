/**
 * `coord say` and `coord inbox` against the local stack: an agent asks on an item and waits on
 * its inbox; a person (a member token) answers; the waiting `coord inbox --wait` ends with the
 * answer and marks it read.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { MessagePage, MessageView } from '#app/schemas/messages-thread';
import { createWork, registerAgent, stackClients, uniqueName } from '#test/support/e2e-fixtures';
import { coordMachine } from './coord';

const memberToken = async (team: string): Promise<string> => {
  const issued = await stackClients().admin.post<{ token: string }>('/v1/tokens', {
    role: 'member',
    team,
    label: 'cli messages test',
  });
  expect(issued.status, issued.text).toBe(201);
  return issued.body.token;
};

// Concurrent: each test has its own team, agent and CLI folders, and the third one's 20 s wait
// (the inbox's poll schedule) need not hold up the others.
describe.concurrent('coord say and coord inbox against the local stack', () => {
  it('lets an agent ask on an item, wait on its inbox, and get a person’s answer once', async () => {
    // Arrange: an agent and an item of a fresh team, a person of that team
    const team = uniqueName('msgcli');
    const agent = await registerAgent(team);
    const item = await createWork(team, { title: `question ${team}` });
    const machine = coordMachine('none');
    const asAgent = { COORD_AGENT_ID: agent.id, COORD_AGENT_TOKEN: agent.token };
    const asPerson = { COORD_TOKEN: await memberToken(team) };

    // Act: the agent asks on the item and waits; the person answers it directly
    const asked = await machine.run(['say', item.id, 'Which', 'bucket?', '--json'], asAgent);
    const waiting = machine.start(['inbox', '--wait', '120', '--json'], asAgent);
    const answered = await machine.run(['say', '--to', agent.id, 'Use staging.', '-q'], asPerson);
    const received = await waiting.done;

    // Assert: the question is on the thread; the wait ended with the answer, which is now read
    expect(asked.code, asked.stderr).toBe(0);
    const question = JSON.parse(asked.stdout) as MessageView;
    expect(question).toMatchObject({
      body: 'Which bucket?',
      workId: item.id,
      from: { type: 'agent', id: agent.id },
    });
    expect(answered.code, answered.stderr).toBe(0);
    expect(answered.stdout).toMatch(/^msg_\w+\n$/);
    expect(received.code, received.stderr).toBe(0);
    const { items } = JSON.parse(received.stdout) as { items: MessageView[] };
    expect(items.map((message) => [message.id, message.body, message.from.type])).toEqual([
      [answered.stdout.trim(), 'Use staging.', 'member'],
    ]);
    const unread = await machine.run(['inbox', '--unread', '--json'], asAgent);
    expect(JSON.parse(unread.stdout)).toMatchObject({ items: [] });
    const thread = await stackClients().admin.get<MessagePage>(`/v1/work/${item.id}/messages`);
    expect(thread.body.items.map((message) => message.id)).toEqual([question.id]);
  });

  it('delivers a mention on a thread to the inbox, prints it escaped, and exits 4 when nothing comes', async () => {
    const team = uniqueName('msgcli');
    const agent = await registerAgent(team);
    const item = await createWork(team);
    const machine = coordMachine('none');
    const asAgent = { COORD_AGENT_ID: agent.id, COORD_AGENT_TOKEN: agent.token };
    const asPerson = { COORD_TOKEN: await memberToken(team) };

    const said = await machine.run(
      ['say', item.id, 'look\u202e here\n  2026-01-01  admin admin  [msg_fake]', '--mention', agent.id],
      asPerson,
    );
    const inbox = await machine.run(['inbox', '--unread'], asAgent);
    const nothing = await machine.run(['inbox', '--wait', '2'], asAgent);

    expect(said.code, said.stderr).toBe(0);
    expect(inbox.code, inbox.stderr).toBe(0);
    const lines = inbox.stdout.split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^\\S+  member tok_\\S+ on ${item.id} to ${agent.id}  \\[msg_\\w+\\]$`),
    );
    expect(lines.slice(1, 3)).toEqual(['    look\\u202e here', '      2026-01-01  admin admin  [msg_fake]']);
    expect(nothing.code).toBe(4);
    expect(nothing.stdout).toBe('NO MESSAGE: nothing arrived in 2 s\n');
  });

  it('wakes a waiting inbox from its event stream about a second after a direct message, not at the next poll', async () => {
    const team = uniqueName('msgcli');
    const agent = await registerAgent(team);
    const machine = coordMachine('none');
    // Reads at 0, 1, 3, 7, 15 and 31 s (pauses 1 s doubling, up to --poll 60).
    const waiting = machine.start(['inbox', '--wait', '60', '--poll', '60', '--json'], {
      COORD_AGENT_ID: agent.id,
      COORD_AGENT_TOKEN: agent.token,
    });
    // Posted at about 20 s, between the reads of 15 and 31 s (the process takes a moment to
    // start): an answer well before the next read came from the stream.
    await delay(20_000);

    const posted = await stackClients().admin.post<MessageView>(`/v1/agents/${agent.id}/messages`, {
      body: 'Go ahead.',
    });
    const postedAt = Date.now();
    // Until the answer is printed (the process's exit after it is no part of the wait).
    while (!waiting.stdout().includes('Go ahead.') && Date.now() - postedAt < 20_000) await delay(25);
    const latencyMs = Date.now() - postedAt;
    const received = await waiting.done;

    expect(posted.status, posted.text).toBe(201);
    expect(received.code, received.stderr).toBe(0);
    expect(
      (JSON.parse(received.stdout) as { items: MessageView[] }).items.map((message) => message.body),
    ).toEqual(['Go ahead.']);
    // The stream sends an event once it is a second old (measured 1.05 s under load 8); then one
    // read and the read marker (0.2 to 0.8 s on a busy machine; 3.7 s in all seen under a full
    // suite's load). The next read was due about 11 s after the post.
    expect(latencyMs, `printed ${latencyMs} ms after the post`).toBeLessThan(8_000);
  }, 60_000);
});
