/**
 * Messages through the real handlers on DynamoDB Local: who may post and read where (admins,
 * agents and members of the team), what a body may hold, paging oldest first, the inbox and its
 * read marker, the audit entry of each post, and idempotent posts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Action } from '#core/events';
import { aWorkItem, unique } from '#test/support/builders';
import { insert } from '#test/support/dynamo';
import { ADMIN, call, seedAgent, useHandlerStore } from './handlers';

const store = useHandlerStore('http-messages');

const team = `t-${unique()}`;
const otherTeam = `o-${unique()}`;
const itemId = `wi_${unique()}`;
const otherItemId = `wi_${unique()}`;
let builder = { id: '', token: '' };
let reviewer = { id: '', token: '' };
let outsider = { id: '', token: '' };
let member = '';
let otherMember = '';
let anyTeamMember = '';
let viewer = '';

const issue = async (body: Record<string, unknown>): Promise<string> => {
  const answer = await call('issueToken', { token: ADMIN, body });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body.token;
};

const seed = async (agentTeam: string) => {
  const { agent, token } = await seedAgent(store(), { team: agentTeam });
  return { id: agent.id, token };
};

const threadOf = async (id: string, query: Record<string, string> = {}) =>
  call('listWorkMessages', { token: ADMIN, params: { id }, query });

beforeAll(async () => {
  await insert(store().ports, {
    work: [aWorkItem({ id: itemId, team }), aWorkItem({ id: otherItemId, team: otherTeam })],
  });
  builder = await seed(team);
  reviewer = await seed(team);
  outsider = await seed(otherTeam);
  member = await issue({ role: 'member', team });
  otherMember = await issue({ role: 'member', team: otherTeam });
  anyTeamMember = await issue({ role: 'member' });
  viewer = await issue({ role: 'viewer' });
});

describe('the member role', () => {
  it('is issued with a team and echoed back', async () => {
    const answer = await call('issueToken', { token: ADMIN, body: { role: 'member', team } });

    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ role: 'member', team });
  });

  it('reads what a viewer reads, and changes nothing a viewer may not', async () => {
    const read = await call('getWork', { token: member, params: { id: itemId } });
    const create = await call('createWork', {
      token: member,
      body: { type: 'task', title: 'Not mine to make', team },
    });

    expect(read.status).toBe(200);
    expect(create.status).toBe(403);
  });
});

describe('POST /v1/work/{id}/messages', () => {
  it('stores a message from a member of the team and answers it with 201', async () => {
    const answer = await call('postWorkMessage', {
      token: member,
      params: { id: itemId },
      body: { body: 'Which branch should this go to?', mentions: [builder.id] },
    });

    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body).toMatchObject({
      from: { type: 'member' },
      body: 'Which branch should this go to?',
      mentions: [builder.id],
      workId: itemId,
    });
    expect(answer.body.id).toMatch(/^msg_[0-9A-Z]{26}$/);
    expect(Date.parse(answer.body.at)).not.toBeNaN();
  });

  it('lets an agent of the team and an admin post, and records each post in the audit log', async () => {
    const fromAgent = await call('postWorkMessage', {
      token: builder.token,
      params: { id: itemId },
      body: { body: 'main, please' },
    });
    const fromAdmin = await call('postWorkMessage', {
      token: ADMIN,
      params: { id: itemId },
      body: { body: 'Agreed.' },
    });
    const audit = await store().ports.audit.list({ entityId: fromAgent.body.id, limit: 5 });

    expect(fromAgent.status).toBe(201);
    expect(fromAgent.body.from).toEqual({ type: 'agent', id: builder.id });
    expect(fromAdmin.status).toBe(201);
    expect(fromAdmin.body.from).toEqual({ type: 'admin', id: 'admin' });
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]).toMatchObject({
      action: Action.Message,
      entityType: 'message',
      team,
      actor: { type: 'agent', id: builder.id },
      after: { body: 'main, please', workId: itemId },
    });
  });

  it('refuses an agent, a member and a viewer outside the team with 403, storing nothing', async () => {
    const before = (await threadOf(otherItemId)).body.items.length;

    const answers = await Promise.all(
      [outsider.token, otherMember, viewer].map((token) =>
        call('postWorkMessage', { token, params: { id: itemId }, body: { body: 'let me in' } }),
      ),
    );
    const fromOtherTeam = await call('postWorkMessage', {
      token: builder.token,
      params: { id: otherItemId },
      body: { body: 'not my team' },
    });

    expect(answers.map((answer) => answer.status)).toEqual([403, 403, 403]);
    expect(fromOtherTeam.status).toBe(403);
    expect((await threadOf(otherItemId)).body.items).toHaveLength(before);
    expect((await threadOf(itemId)).body.items.map((m: { body: string }) => m.body)).not.toContain(
      'let me in',
    );
  });

  it('lets a member without a team post in every team', async () => {
    const answer = await call('postWorkMessage', {
      token: anyTeamMember,
      params: { id: otherItemId },
      body: { body: 'Looking at this now.' },
    });

    expect(answer.status).toBe(201);
  });

  it('answers 404 for an item that does not exist', async () => {
    const answer = await call('postWorkMessage', {
      token: ADMIN,
      params: { id: `wi_${unique()}` },
      body: { body: 'anyone?' },
    });

    expect(answer.status).toBe(404);
  });

  it.each([
    ['over 8 KB of UTF-8', '€'.repeat(2731)],
    ['a control character', 'ring the bell \u0007'],
    ['a lone surrogate', 'half \ud800 a character'],
    ['nothing', ''],
  ])('refuses a body holding %s with 400 on /body', async (_name, body) => {
    const answer = await call('postWorkMessage', { token: ADMIN, params: { id: itemId }, body: { body } });

    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('validation_error');
    expect(answer.body.error.details.errors.map((e: { path: string }) => e.path)).toContain('/body');
  });

  it('keeps a body of exactly 8 KB, newlines, tabs and markup as plain data', async () => {
    const markup = '<script>alert(1)</script>\n\t<b>bold</b>';
    const long = 'a'.repeat(8192);

    const kept = await call('postWorkMessage', {
      token: ADMIN,
      params: { id: itemId },
      body: { body: markup },
    });
    const full = await call('postWorkMessage', {
      token: ADMIN,
      params: { id: itemId },
      body: { body: long },
    });

    expect(kept.status).toBe(201);
    expect(kept.body.body).toBe(markup);
    expect(full.status).toBe(201);
  });

  it('refuses a mention of no agent or of an agent of another team with 400 on /mentions/<i>', async () => {
    const answer = await call('postWorkMessage', {
      token: ADMIN,
      params: { id: itemId },
      body: { body: 'see above', mentions: [builder.id, `ghost-${unique()}`, outsider.id] },
    });

    expect(answer.status).toBe(400);
    expect(answer.body.error.details.errors.map((e: { path: string }) => e.path)).toEqual([
      '/mentions/1',
      '/mentions/2',
    ]);
  });

  it('refuses more than 20 mentions with 400', async () => {
    const mentions = Array.from({ length: 21 }, (_, index) => `agent-${index}-x`);

    const answer = await call('postWorkMessage', {
      token: ADMIN,
      params: { id: itemId },
      body: { body: 'everyone', mentions },
    });

    expect(answer.status).toBe(400);
  });

  it('stores one message for two posts with the same Idempotency-Key', async () => {
    const key = `key-${unique()}`;
    const body = { body: `once ${unique()}` };
    const headers = { 'idempotency-key': key };

    const first = await call('postWorkMessage', { token: ADMIN, params: { id: itemId }, body, headers });
    const second = await call('postWorkMessage', { token: ADMIN, params: { id: itemId }, body, headers });
    const thread = await threadOf(itemId, { limit: '200' });

    expect(second.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    expect(thread.body.items.filter((m: { body: string }) => m.body === body.body)).toHaveLength(1);
  });
});

describe('GET /v1/work/{id}/messages', () => {
  it('pages a thread oldest first with a cursor', async () => {
    const id = `wi_${unique()}`;
    await insert(store().ports, { work: [aWorkItem({ id, team })] });
    for (const body of ['one', 'two', 'three']) {
      await call('postWorkMessage', { token: member, params: { id }, body: { body } });
    }

    const first = await threadOf(id, { limit: '2' });
    const second = await threadOf(id, { limit: '2', cursor: first.body.nextCursor });

    expect(first.body.items.map((m: { body: string }) => m.body)).toEqual(['one', 'two']);
    expect(second.body.items.map((m: { body: string }) => m.body)).toEqual(['three']);
    expect(second.body.nextCursor).toBeUndefined();
  });

  it('is open to viewers and members, and to agents of the item team only', async () => {
    const statuses = await Promise.all(
      [viewer, member, builder.token, outsider.token].map(async (token) => {
        const answer = await call('listWorkMessages', { token, params: { id: itemId } });
        return answer.status;
      }),
    );

    expect(statuses).toEqual([200, 200, 200, 403]);
  });

  it('refuses a cursor it did not sign with 400', async () => {
    const answer = await threadOf(itemId, { cursor: 'eyJtIjoibXNnXzAxIn0' });

    expect(answer.status).toBe(400);
  });
});

describe('direct messages and the inbox', () => {
  it('delivers a direct message and the mentions to the inboxes, read by the agent itself or an admin', async () => {
    const direct = await call('postAgentMessage', {
      token: member,
      params: { id: reviewer.id },
      body: { body: 'Can you review wi_1?', mentions: [builder.id] },
    });

    const own = await call('listAgentMessages', { token: reviewer.token, params: { id: reviewer.id } });
    const mentioned = await call('listAgentMessages', { token: ADMIN, params: { id: builder.id } });
    const someoneElse = await call('listAgentMessages', {
      token: builder.token,
      params: { id: reviewer.id },
    });
    const asMember = await call('listAgentMessages', { token: member, params: { id: reviewer.id } });

    expect(direct.status).toBe(201);
    expect(direct.body).toMatchObject({ to: reviewer.id, mentions: [builder.id] });
    expect(direct.body.workId).toBeUndefined();
    expect(own.status).toBe(200);
    expect(own.body.items.map((m: { id: string }) => m.id)).toContain(direct.body.id);
    expect(mentioned.body.items.map((m: { id: string }) => m.id)).toContain(direct.body.id);
    expect(someoneElse.status).toBe(403);
    expect(asMember.status).toBe(403);
  });

  it('keeps a direct message body out of GET /v1/audit, which shows who wrote to whom', async () => {
    const direct = await call('postAgentMessage', {
      token: ADMIN,
      params: { id: reviewer.id },
      body: { body: 'private: the staging password rotated' },
    });

    const audit = await call('listAudit', { token: viewer, query: { entityId: direct.body.id } });

    expect(audit.status).toBe(200);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0].after).toMatchObject({ id: direct.body.id, to: reviewer.id });
    expect(JSON.stringify(audit.body)).not.toContain('staging password');
  });

  it('lets agents of the same team send direct messages, and refuses other teams with 403', async () => {
    const sameTeam = await call('postAgentMessage', {
      token: builder.token,
      params: { id: reviewer.id },
      body: { body: 'ping' },
    });
    const otherTeamAgent = await call('postAgentMessage', {
      token: outsider.token,
      params: { id: reviewer.id },
      body: { body: 'ping' },
    });
    const otherTeamMember = await call('postAgentMessage', {
      token: otherMember,
      params: { id: reviewer.id },
      body: { body: 'ping' },
    });

    expect(sameTeam.status).toBe(201);
    expect(otherTeamAgent.status).toBe(403);
    expect(otherTeamMember.status).toBe(403);
  });

  it('answers 404 for a direct message to an agent that does not exist', async () => {
    const answer = await call('postAgentMessage', {
      token: ADMIN,
      params: { id: `ghost-${unique()}` },
      body: { body: 'hello?' },
    });

    expect(answer.status).toBe(404);
  });

  it('lists only unread messages after a read mark, which never moves back', async () => {
    const { id, token } = await seed(team);
    const sent: string[] = [];
    for (const body of ['first', 'second', 'third']) {
      sent.push((await call('postAgentMessage', { token: ADMIN, params: { id }, body: { body } })).body.id);
    }

    const marked = await call('markMessagesRead', { token, params: { id }, body: { upTo: sent[1] } });
    const back = await call('markMessagesRead', { token, params: { id }, body: { upTo: sent[0] } });
    const unread = await call('listAgentMessages', { token, params: { id }, query: { unread: '1' } });
    const all = await call('listAgentMessages', { token, params: { id } });

    expect(marked.status).toBe(200);
    expect(marked.body).toEqual({ agentId: id, readUpTo: sent[1] });
    expect(back.body.readUpTo).toBe(sent[1]);
    expect(unread.body.items.map((m: { body: string }) => m.body)).toEqual(['third']);
    expect(unread.body.readUpTo).toBe(sent[1]);
    expect(all.body.items.map((m: { body: string }) => m.body)).toEqual(['first', 'second', 'third']);
  });

  it('refuses an upTo that is not a message id with 400, and marking another agent inbox with 403', async () => {
    const notAnId = await call('markMessagesRead', {
      token: builder.token,
      params: { id: builder.id },
      body: { upTo: 'yesterday' },
    });
    const another = await call('markMessagesRead', {
      token: builder.token,
      params: { id: reviewer.id },
      body: { upTo: 'msg_01JABCDEFGHJKMNPQRSTVWXYZ0' },
    });

    expect(notAnId.status).toBe(400);
    expect(another.status).toBe(403);
  });
});
