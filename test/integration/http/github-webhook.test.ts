/**
 * `POST /v1/integrations/github` through its real handler against DynamoDB Local, with GitHub's
 * recorded payload shapes (`test/fixtures/github/`) signed as GitHub signs them. Each test gives
 * its issue a number of its own, so the tests share the configured team without meeting.
 */
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { githubSignatureOf } from '#functions/shared/signatures';
import { unique } from '#test/support/builders';
import { FUZZ_SEED, signedDeliveries } from '#test/support/fuzz-requests';
import { ADMIN, call, seedAgent, useHandlerStore } from './handlers';

const store = useHandlerStore('http-github');
const SECRET = 'github-webhook-secret-for-tests';
const LABEL = 'agent-work';
const team = `gh-${unique()}`;

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'github');
type Fixture = 'issues.opened' | 'issues.labeled' | 'issues.closed' | 'issues.reopened' | 'ping';
// biome-ignore lint/suspicious/noExplicitAny: recorded payloads are edited field by field
const fixture = (name: Fixture | 'issues.unlabelled.opened'): any =>
  JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8'));

/** A recorded `issues` payload about issue `number` of the recorded repository. */
const issuePayload = (name: Fixture | 'issues.unlabelled.opened', number: number) => {
  const payload = fixture(name);
  payload.issue.number = number;
  payload.issue.html_url = `https://github.com/octo-org/agent-hub/issues/${number}`;
  return payload;
};

/** Sends `raw` as GitHub does: its event, a delivery id and the signature with `secret`. */
const deliver = (event: string, raw: string, headers: Record<string, string> = {}, secret = SECRET) =>
  call('githubWebhook', {
    body: raw,
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-github-delivery': crypto.randomUUID(),
      'x-hub-signature-256': githubSignatureOf(secret, raw),
      'user-agent': 'GitHub-Hookshot/7c8a1b2',
      ...headers,
    },
  });

const deliverIssue = (name: Fixture | 'issues.unlabelled.opened', number: number) =>
  deliver('issues', JSON.stringify(issuePayload(name, number)));

const itemId = (number: number, generation = 1) =>
  `gh-octo-org.agent-hub-${number}${generation > 1 ? `-r${generation}` : ''}`;

/** What `metadata.source` of issue `number`'s item says. */
const sourceOf = (number: number) => ({
  type: 'github',
  url: `https://github.com/octo-org/agent-hub/issues/${number}`,
  number,
  repository: 'octo-org/agent-hub',
});

const newIssueNumber = (): number => randomInt(1000, 1_000_000_000);

const newestEvent = async (): Promise<string | undefined> =>
  (await store().ports.audit.list({ limit: 1 })).items[0]?.id;

beforeAll(async () => {
  vi.stubEnv('COORD_GITHUB_WEBHOOK_SECRET', SECRET);
  const configured = await call('updateConfig', {
    token: ADMIN,
    body: { github: { team, labels: [LABEL], priorityLabels: { bug: 'low' } } },
  });
  expect(configured.status, JSON.stringify(configured.body)).toBe(200);
  expect(configured.body.github).toMatchObject({
    team,
    labels: [LABEL],
    priorityLabels: { P0: 'critical', P1: 'high', bug: 'low' },
    type: 'github-issue',
  });
});

describe('POST /v1/integrations/github', () => {
  it('answers a ping with 200 pong', async () => {
    const answer = await deliver('ping', JSON.stringify(fixture('ping')));

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ outcome: 'pong' });
  });

  it('turns an opened issue with the configured label into a work item of the configured team', async () => {
    const number = newIssueNumber();

    const answer = await deliverIssue('issues.opened', number);

    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body).toMatchObject({ outcome: 'created', workId: itemId(number) });
    const read = await call('getWork', { token: ADMIN, params: { id: itemId(number) } });
    expect(read.body).toMatchObject({
      id: itemId(number),
      team,
      type: 'github-issue',
      status: 'ready',
      title: 'Retry budget ignores the team override',
      priority: 'high',
      metadata: { source: sourceOf(number) },
    });
    expect(read.body.description).toContain('still escalates after 3 attempts.\n\n### Steps\n1.');
    expect(read.body.description).not.toContain('\r');
    const audit = await call('listAudit', { token: ADMIN, query: { entityId: itemId(number) } });
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({
      action: 'work.created',
      actor: { id: 'integration:github' },
    });
  });

  it('creates one item for a redelivered opened event and a labeled event of the same issue', async () => {
    const number = newIssueNumber();
    const raw = JSON.stringify(issuePayload('issues.opened', number));

    const first = await deliver('issues', raw);
    const redelivered = await deliver('issues', raw);
    const labeled = await deliverIssue('issues.labeled', number);

    expect(first.status).toBe(201);
    expect([redelivered.status, labeled.status]).toEqual([202, 202]);
    expect(labeled.body).toMatchObject({ outcome: 'ignored', workId: itemId(number) });
    const items = await store().ports.work.getMany([itemId(number), itemId(number, 2)]);
    expect(items.map((item) => item.id)).toEqual([itemId(number)]);
  });

  it('creates one item when opened and labeled arrive at the same time', async () => {
    const number = newIssueNumber();

    const answers = await Promise.all([
      deliverIssue('issues.opened', number),
      deliverIssue('issues.labeled', number),
    ]);

    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 202]);
    const audit = await call('listAudit', { token: ADMIN, query: { entityId: itemId(number) } });
    expect(audit.body.items.map((event: { action: string }) => event.action)).toEqual(['work.created']);
  });

  it('ignores an issue without a configured label and creates nothing', async () => {
    const number = newIssueNumber();

    const answer = await deliverIssue('issues.unlabelled.opened', number);

    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({
      outcome: 'ignored',
      reason: 'the issue has none of the configured labels',
    });
    expect(await store().ports.work.get(itemId(number))).toBeUndefined();
  });

  it('cancels the item when the issue is closed, once', async () => {
    const number = newIssueNumber();
    await deliverIssue('issues.opened', number);

    const closed = await deliverIssue('issues.closed', number);
    const again = await deliverIssue('issues.closed', number);

    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect(closed.body).toMatchObject({
      outcome: 'cancelled',
      item: { id: itemId(number), status: 'cancelled' },
    });
    expect(again.status).toBe(202);
    expect(again.body.reason).toBe(`work item ${itemId(number)} is cancelled`);
    const audit = await call('listAudit', { token: ADMIN, query: { entityId: itemId(number) } });
    expect(audit.body.items[0]).toMatchObject({
      action: 'work.cancelled',
      actor: { id: 'integration:github' },
    });
  });

  it('gives a reopened issue whose item was cancelled a new item, and only one', async () => {
    const number = newIssueNumber();
    await deliverIssue('issues.opened', number);
    await deliverIssue('issues.closed', number);

    const reopened = await deliverIssue('issues.reopened', number);
    const redelivered = await deliverIssue('issues.reopened', number);

    expect(reopened.status).toBe(201);
    expect(reopened.body).toMatchObject({ outcome: 'created', workId: itemId(number, 2) });
    expect(redelivered.status).toBe(202);
    expect((await store().ports.work.get(itemId(number)))?.status).toBe('cancelled');
    expect((await store().ports.work.get(itemId(number, 2)))?.status).toBe('ready');
  });

  it('ignores events other than issues and ping with 202', async () => {
    const { repository, sender } = fixture('ping');
    const push = { ref: 'refs/heads/main', before: '6113728f', after: '59b20b8d', repository, sender };

    const answer = await deliver('push', JSON.stringify(push));

    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ outcome: 'ignored', reason: 'event "push" is not acted on' });
  });

  it.each([
    ['a missing signature', { 'x-hub-signature-256': '' }, SECRET],
    ['a malformed signature', { 'x-hub-signature-256': 'sha1=0123456789abcdef' }, SECRET],
    ['a signature with another secret', {}, 'some-other-secret'],
  ])('refuses %s with 401 and changes nothing', async (_, headers, secret) => {
    const number = newIssueNumber();
    const before = await newestEvent();

    const answer = await deliver(
      'issues',
      JSON.stringify(issuePayload('issues.opened', number)),
      headers,
      secret,
    );

    expect(answer.status).toBe(401);
    expect(answer.body.error.code).toBe('unauthorized');
    expect(await store().ports.work.get(itemId(number))).toBeUndefined();
    expect(await newestEvent()).toBe(before);
  });

  it('refuses a body changed after it was signed with 401', async () => {
    const number = newIssueNumber();
    const signed = JSON.stringify(issuePayload('issues.opened', number));
    const tampered = signed.replace('Retry budget', 'Delete everything');

    const answer = await deliver('issues', tampered, {
      'x-hub-signature-256': githubSignatureOf(SECRET, signed),
    });

    expect(answer.status).toBe(401);
    expect(await store().ports.work.get(itemId(number))).toBeUndefined();
  });

  it('answers a signed body that is not JSON with 400', async () => {
    const answer = await deliver('issues', '{"action": "opened", ');

    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({
      code: 'validation_error',
      details: { errors: [{ path: '', message: 'must be valid JSON' }] },
    });
  });

  it('answers an issues event without its issue with 400 naming the field', async () => {
    const payload = fixture('issues.opened');
    delete payload.issue;

    const answer = await deliver('issues', JSON.stringify(payload));

    expect(answer.status).toBe(400);
    expect(answer.body.error.details.errors).toEqual([
      { path: '/issue', message: 'is required in an issues event' },
    ]);
  });

  it('answers a body over 1 MiB with 413', async () => {
    const payload = issuePayload('issues.opened', newIssueNumber());
    payload.issue.body = 'x'.repeat(1024 * 1024);

    const answer = await deliver('issues', JSON.stringify(payload));

    expect(answer.status).toBe(413);
    expect(answer.body.error.code).toBe('payload_too_large');
  });

  it('keeps the issue in the work.completed event, so a webhook receiver can comment on the issue', async () => {
    const number = newIssueNumber();
    await deliverIssue('issues.opened', number);
    const { agent, token } = await seedAgent(store(), { team });
    const claim = await call('claimWork', {
      token,
      params: { id: itemId(number) },
      body: { agentId: agent.id },
    });

    const completed = await call('completeWork', {
      token,
      params: { id: itemId(number) },
      body: { claimToken: claim.body.claim.token, result: 'Fixed in #4242' },
    });

    expect(completed.status, JSON.stringify(completed.body)).toBe(200);
    const audit = await call('listAudit', { token: ADMIN, query: { entityId: itemId(number) } });
    const event = audit.body.items.find((e: { action: string }) => e.action === 'work.completed');
    expect(event.after).toMatchObject({
      status: 'completed',
      result: 'Fixed in #4242',
      metadata: { source: sourceOf(number) },
    });
  });

  it('never answers 5xx to fuzzed deliveries, and a refused one changes nothing', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(signedDeliveries(), async ({ event, body, signed }) => {
        const raw = typeof body === 'string' ? body : (JSON.stringify(body) ?? '');
        const before = await newestEvent();

        const answer = await deliver(
          event ?? '',
          raw,
          event === undefined ? { 'x-github-event': '' } : {},
          signed ? SECRET : 'not-the-secret',
        );

        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(500);
        if (!signed) expect(answer.status).toBe(401);
        if (answer.status >= 400) expect(await newestEvent()).toBe(before);
      }),
      { numRuns: 60, seed: FUZZ_SEED, endOnFailure: true },
    );
    expect(statuses.get(401)).toBeGreaterThan(0);
    expect([...statuses.keys()].some((status) => status < 300)).toBe(true);
  }, 120_000);
});
