import { describe, expect, it } from 'vitest';
import type { ClaimView, WorkPage } from '#app/schemas/views';
import {
  createWork,
  getWork,
  registerAgent,
  stackClients,
  stateOf,
  uniqueName,
} from '#test/support/e2e-fixtures';
import type { ApiResponse } from '#test/support/http-client';

const fieldErrors = (response: ApiResponse<unknown>) =>
  (response.error?.details.errors ?? []) as { path: string; message: string }[];

const workOfTeam = async (team: string) => {
  const page = await stackClients().admin.get<WorkPage>(`/v1/work?team=${team}`);
  expect(page.status, page.text).toBe(200);
  return page.body.items;
};

describe('malformed requests', () => {
  it('lists every bad field of a create body by JSON pointer and creates nothing', async () => {
    const { admin } = stackClients();
    const team = uniqueName('invalid');

    const response = await admin.post('/v1/work', {
      team,
      title: '',
      priority: 'urgent',
      businessValue: 101,
      favouriteColour: 'green',
      dependsOn: 'not-a-list',
    });

    expect(response.status, response.text).toBe(400);
    expect(response.error?.code).toBe('validation_error');
    const paths = fieldErrors(response).map((error) => error.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/type',
        '/title',
        '/priority',
        '/businessValue',
        '/favouriteColour',
        '/dependsOn',
      ]),
    );
    for (const error of fieldErrors(response)) expect(error.message).toEqual(expect.any(String));
    expect(await workOfTeam(team)).toEqual([]);
  });

  it('answers malformed JSON with 400 validation_error at path ""', async () => {
    const { admin } = stackClients();

    const response = await admin.request('POST', '/v1/work', { rawBody: '{"type": "task", "title": ' });

    expect(response.status, response.text).toBe(400);
    expect(response.error?.code).toBe('validation_error');
    expect(fieldErrors(response)).toEqual([{ path: '', message: expect.any(String) }]);
  });

  it('refuses a bad progress body and leaves the item as it was', async () => {
    const team = uniqueName('invalid');
    const alice = await registerAgent(team);
    const item = await createWork(team);
    const claim = await alice.api.post<ClaimView>(`/v1/work/${item.id}/claim`, { agentId: alice.id });
    expect(claim.status, claim.text).toBe(200);
    const before = await getWork(item.id);

    const response = await alice.api.post(`/v1/work/${item.id}/progress`, {
      claimToken: claim.body.claim.token,
      progress: 150,
      mood: 'great',
    });

    expect(response.status, response.text).toBe(400);
    expect(
      fieldErrors(response)
        .map((error) => error.path)
        .sort(),
    ).toEqual(['/mood', '/progress']);
    expect(stateOf(await getWork(item.id))).toEqual(stateOf(before));
  });

  it('refuses an agent id that breaks the id rules at registration', async () => {
    const { registration } = stackClients();

    const response = await registration.post('/v1/agents', { id: '-x', team: uniqueName('invalid') });

    expect(response.status, response.text).toBe(400);
    expect(fieldErrors(response).map((error) => error.path)).toEqual(['/id']);
  });
});
