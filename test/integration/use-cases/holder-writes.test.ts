/**
 * Holder writes (progress, complete, fail, release) free the holder's claim on the condition that
 * it is not retiring, so the usual change reads no agent; a retiring holder refuses that write and
 * the change is committed again without it. Against DynamoDB Local, with the store calls counted.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { claimWork } from '#app/use-cases/claim-work';
import { completeWork } from '#app/use-cases/complete-work';
import { createWork } from '#app/use-cases/create-work';
import { failWork } from '#app/use-cases/fail-work';
import { getAgent } from '#app/use-cases/get-agent';
import { listAudit } from '#app/use-cases/list-audit';
import { registerAgent } from '#app/use-cases/register-agent';
import { releaseWork } from '#app/use-cases/release-work';
import { reportProgress } from '#app/use-cases/report-progress';
import { retireAgent } from '#app/use-cases/retire-agent';
import { ForbiddenError, NotFoundError, StaleClaimError } from '#core/errors';
import { unique } from '#test/support/builders';
import { createTestStore, type TestStore } from '#test/support/dynamo';
import { recordStoreCalls } from '#test/support/store-calls';
import {
  asAdmin,
  asAgent,
  asRegistration,
  aTeam,
  tokenRecordOf,
  type UseCaseDeps,
  useCaseDeps,
} from './fixture';

let store: TestStore;
let deps: UseCaseDeps;
/** Store calls sent since the last reset, as `<command> <table>` (the stage prefix dropped). */
const sent: string[] = [];

beforeAll(async () => {
  store = await createTestStore('uc-holder-writes');
  deps = useCaseDeps(store);
  recordStoreCalls(store.client, sent);
});

beforeEach(() => {
  sent.length = 0;
});

afterAll(async () => {
  await store.cleanup();
});

const verify = (bearer: string) => tokenRecordOf(deps, bearer);

/** An agent of a fresh team holding `count` claimed items; its token and the claims. */
const holding = async (count: number) => {
  const team = aTeam();
  const id = `agent-${unique()}`;
  const { token } = await registerAgent(deps, asRegistration(), { id, team, capacity: Math.max(count, 1) });
  const claims = [];
  for (let i = 0; i < count; i += 1) {
    const item = await createWork(deps, asAdmin(), { type: 't', title: `${i}`, team });
    const claim = await claimWork(deps, asAgent(id), { id: item.id, agentId: id });
    claims.push({ id: item.id, claimToken: claim.claim.token });
  }
  return { id, team, token, claims };
};

const auditActions = async (entityId: string) =>
  (await listAudit(deps, asAdmin(), { entityId })).items.map((event) => event.action).sort();

describe('holder writes of an agent that is not retiring', () => {
  it('completes with one item read and one transaction, and never reads the holder', async () => {
    const { id, claims } = await holding(1);
    const [claim] = claims;
    sent.length = 0;

    const done = await completeWork(deps, asAgent(id), {
      id: claim?.id ?? '',
      claimToken: claim?.claimToken ?? '',
    });

    expect(done.status).toBe('completed');
    expect(sent.filter((call) => call.includes('Agents') && !call.startsWith('TransactWrite'))).toEqual([]);
    expect(sent.filter((call) => call.startsWith('TransactWrite'))).toEqual([
      'TransactWriteItemsCommand Work+Agents+Events',
    ]);
    expect(await getAgent(deps, asAdmin(), { id })).toMatchObject({ activeClaims: 0, status: 'idle' });
  });

  it('reports progress with one item read and one transaction', async () => {
    const { id, claims } = await holding(1);
    const [claim] = claims;
    sent.length = 0;

    const item = await reportProgress(deps, asAgent(id), {
      id: claim?.id ?? '',
      claimToken: claim?.claimToken ?? '',
      progress: 40,
    });

    expect(item).toMatchObject({ status: 'in_progress', progress: 40 });
    expect(sent.filter((call) => !call.includes('Meta'))).toEqual([
      'GetItemCommand Work',
      'TransactWriteItemsCommand Work+Events',
    ]);
  });
});

describe('holder writes of a draining agent', () => {
  it('completes the last claim: the guarded write is refused, the change commits once, the token is revoked', async () => {
    const { id, token, claims } = await holding(1);
    const [claim] = claims;
    await retireAgent(deps, asAgent(id), { id, mode: 'drain' });
    sent.length = 0;

    const done = await completeWork(deps, asAgent(id), {
      id: claim?.id ?? '',
      claimToken: claim?.claimToken ?? '',
    });

    expect(done.status).toBe('completed');
    expect(sent.filter((call) => call.startsWith('TransactWrite') && call.includes('Agents'))).toHaveLength(
      2,
    );
    expect(await auditActions(claim?.id ?? '')).toEqual(['work.claimed', 'work.completed', 'work.created']);
    expect(await getAgent(deps, asAdmin(), { id })).toMatchObject({
      status: 'retired',
      activeClaims: 0,
    });
    expect((await deps.agents.get(id))?.stats).toMatchObject({ completed: 1 });
    expect(await verify(token)).toBeUndefined();
  });

  it('completes one of two claims: one claim freed, the token kept', async () => {
    const { id, token, claims } = await holding(2);
    const [first] = claims;
    await retireAgent(deps, asAgent(id), { id, mode: 'drain' });

    await completeWork(deps, asAgent(id), { id: first?.id ?? '', claimToken: first?.claimToken ?? '' });

    expect(await getAgent(deps, asAdmin(), { id })).toMatchObject({ status: 'retiring', activeClaims: 1 });
    expect(await verify(token)).toMatchObject({ agentId: id });
  });

  it('releases the last claim back to ready and revokes the token', async () => {
    const { id, token, claims } = await holding(1);
    const [claim] = claims;
    await retireAgent(deps, asAgent(id), { id, mode: 'drain' });

    const released = await releaseWork(deps, asAgent(id), {
      id: claim?.id ?? '',
      claimToken: claim?.claimToken ?? '',
    });

    expect(released.status).toBe('ready');
    expect(await getAgent(deps, asAdmin(), { id })).toMatchObject({ status: 'retired', activeClaims: 0 });
    expect(await verify(token)).toBeUndefined();
  });

  it('fails the last claim, counts the failure once and revokes the token', async () => {
    const { id, token, claims } = await holding(1);
    const [claim] = claims;
    await retireAgent(deps, asAgent(id), { id, mode: 'drain' });

    await failWork(deps, asAgent(id), {
      id: claim?.id ?? '',
      claimToken: claim?.claimToken ?? '',
      reason: 'x',
    });

    expect(await getAgent(deps, asAdmin(), { id })).toMatchObject({
      status: 'retired',
      activeClaims: 0,
    });
    expect((await deps.agents.get(id))?.stats).toMatchObject({ failed: 1 });
    expect(await auditActions(claim?.id ?? '')).toEqual(['work.claimed', 'work.created', 'work.failed']);
    expect(await verify(token)).toBeUndefined();
  });

  it('reports progress on a held item without touching the agent', async () => {
    const { id, token, claims } = await holding(1);
    const [claim] = claims;
    await retireAgent(deps, asAgent(id), { id, mode: 'drain' });

    const item = await reportProgress(deps, asAgent(id), {
      id: claim?.id ?? '',
      claimToken: claim?.claimToken ?? '',
      progress: 70,
    });

    expect(item).toMatchObject({ status: 'in_progress', progress: 70 });
    expect(await getAgent(deps, asAdmin(), { id })).toMatchObject({ status: 'retiring', activeClaims: 1 });
    expect(await verify(token)).toMatchObject({ agentId: id });
  });

  it('answers stale_claim for a superseded token and changes nothing', async () => {
    const { id, claims } = await holding(1);
    const [claim] = claims;
    await retireAgent(deps, asAgent(id), { id, mode: 'drain' });

    await expect(
      completeWork(deps, asAgent(id), { id: claim?.id ?? '', claimToken: 'not-the-token' }),
    ).rejects.toThrow(StaleClaimError);
    expect(await getAgent(deps, asAdmin(), { id })).toMatchObject({ status: 'retiring', activeClaims: 1 });
  });

  it('answers 403 when another agent sends the current token, and changes nothing', async () => {
    const { id, team, claims } = await holding(1);
    const [claim] = claims;
    const other = `agent-${unique()}`;
    await registerAgent(deps, asRegistration(), { id: other, team });
    await retireAgent(deps, asAgent(id), { id, mode: 'drain' });

    await expect(
      completeWork(deps, asAgent(other), { id: claim?.id ?? '', claimToken: claim?.claimToken ?? '' }),
    ).rejects.toThrow(ForbiddenError);
    expect(await getAgent(deps, asAdmin(), { id })).toMatchObject({ status: 'retiring', activeClaims: 1 });
  });

  it('answers stale_claim for an item it completed already, and not_found for no item', async () => {
    const { id, claims } = await holding(2);
    const [first] = claims;
    await retireAgent(deps, asAgent(id), { id, mode: 'drain' });
    const complete = () =>
      completeWork(deps, asAgent(id), { id: first?.id ?? '', claimToken: first?.claimToken ?? '' });
    await complete();

    await expect(complete()).rejects.toThrow(StaleClaimError);
    await expect(
      completeWork(deps, asAgent(id), { id: `wi_${unique()}`, claimToken: first?.claimToken ?? '' }),
    ).rejects.toThrow(NotFoundError);
    expect(await getAgent(deps, asAdmin(), { id })).toMatchObject({ status: 'retiring', activeClaims: 1 });
  });
});
