/**
 * Holder writes decided from the copy of the item this process kept (`COORD_WORK_CACHE_SECONDS`):
 * no read of the item when the copy is current; when another process changed the item since, the
 * versioned write loses, the conflict carries the stored item and the answer is the one a read
 * would have given. Two sets of ports on the same DynamoDB Local tables stand for two processes.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { claimWork } from '#app/use-cases/claim-work';
import { completeWork } from '#app/use-cases/complete-work';
import { createWork } from '#app/use-cases/create-work';
import { getWork } from '#app/use-cases/get-work';
import { releaseWork } from '#app/use-cases/release-work';
import { reportProgress } from '#app/use-cases/report-progress';
import { changeWorkItem } from '#app/use-cases/shared/work-change';
import { StaleClaimError } from '#core/errors';
import { createTestStore, type TestStore } from '#test/support/dynamo';
import { recordStoreCalls } from '#test/support/store-calls';
import { asAdmin, asAgent, aTeam, registerAgents, type UseCaseDeps, useCaseDeps } from './fixture';

let keeping: TestStore;
let other: TestStore;
/** This process: keeps the items it writes and reads. */
let deps: UseCaseDeps;
/** Another process on the same tables, keeping nothing. */
let elsewhere: UseCaseDeps;
/** Store calls this process sent since the last reset, as `<command> <tables>`. */
const sent: string[] = [];

beforeAll(async () => {
  keeping = await createTestStore('uc-kept-work', { workCacheSeconds: 60 });
  other = await createTestStore('uc-kept-work', { tablePrefix: keeping.tablePrefix, clock: keeping.clock });
  deps = useCaseDeps(keeping);
  elsewhere = useCaseDeps(other);
  recordStoreCalls(keeping.client, sent);
});

beforeEach(() => {
  sent.length = 0;
});

afterAll(async () => {
  await other.cleanup();
  await keeping.cleanup();
});

/** The calls to the Work table alone (reads and writes that touch nothing else). */
const workOnly = () => sent.filter((call) => call.endsWith(' Work'));
const transactions = () => sent.filter((call) => call.startsWith('TransactWrite'));

/** A fresh item of a fresh team and two agents of that team. */
const anItem = async () => {
  const team = aTeam();
  const [first = '', second = ''] = await registerAgents(deps, 2, { team });
  const item = await createWork(deps, asAdmin(), { type: 't', title: 'kept', team });
  return { item, first, second };
};

describe('holder writes from the kept copy', () => {
  it('claims, reports progress and completes without reading the item', async () => {
    const { item, first } = await anItem();
    const claim = await claimWork(deps, asAgent(first), { id: item.id, agentId: first });
    sent.length = 0;

    await reportProgress(deps, asAgent(first), { id: item.id, claimToken: claim.claim.token, progress: 50 });
    const done = await completeWork(deps, asAgent(first), { id: item.id, claimToken: claim.claim.token });

    expect(done).toMatchObject({ status: 'completed', progress: 100 });
    expect(workOnly()).toEqual([]);
    expect(transactions()).toEqual([
      'TransactWriteItemsCommand Work+Events',
      'TransactWriteItemsCommand Work+Agents+Events',
    ]);
  });

  it('keeps what another process wrote since: the write loses, the stored item decides, nothing is lost', async () => {
    const { item, first } = await anItem();
    const claim = await claimWork(deps, asAgent(first), { id: item.id, agentId: first });
    // Another process records progress: this process's copy is now one version behind.
    await reportProgress(elsewhere, asAgent(first), {
      id: item.id,
      claimToken: claim.claim.token,
      progress: 70,
      note: 'written elsewhere',
    });
    sent.length = 0;

    const done = await completeWork(deps, asAgent(first), { id: item.id, claimToken: claim.claim.token });

    expect(done.status).toBe('completed');
    expect(done.version).toBe(item.version + 3);
    // The stale decision's write was refused and the conflict carried the item: still no read.
    expect(workOnly()).toEqual([]);
    expect(transactions()).toEqual([
      'TransactWriteItemsCommand Work+Agents+Events',
      'TransactWriteItemsCommand Work+Agents+Events',
    ]);
    const stored = await getWork(elsewhere, asAdmin(), { id: item.id });
    expect(stored).toMatchObject({ status: 'completed', version: item.version + 3 });
  });

  it('reads the item when the kept copy refuses: a token issued elsewhere completes', async () => {
    const { item, first, second } = await anItem();
    const old = await claimWork(deps, asAgent(first), { id: item.id, agentId: first });
    // Elsewhere: the holder releases it and another agent claims it. The copy here still shows `old`.
    await releaseWork(elsewhere, asAgent(first), { id: item.id, claimToken: old.claim.token });
    const current = await claimWork(elsewhere, asAgent(second), { id: item.id, agentId: second });
    sent.length = 0;

    const done = await completeWork(deps, asAgent(second), { id: item.id, claimToken: current.claim.token });

    expect(done).toMatchObject({ status: 'completed' });
    expect(workOnly()).toEqual(['GetItemCommand Work']);
  });

  it('answers stale_claim from the stored item when the kept copy would have accepted the token', async () => {
    const { item, first } = await anItem();
    const claim = await claimWork(deps, asAgent(first), { id: item.id, agentId: first });
    await releaseWork(elsewhere, asAgent(first), { id: item.id, claimToken: claim.claim.token });
    const before = await getWork(elsewhere, asAdmin(), { id: item.id });

    await expect(
      completeWork(deps, asAgent(first), { id: item.id, claimToken: claim.claim.token }),
    ).rejects.toBeInstanceOf(StaleClaimError);

    expect(await getWork(elsewhere, asAdmin(), { id: item.id })).toEqual(before);
    // The refused write forgot the copy; the next change reads the item.
    expect(keeping.ports.work.recent(item.id)).toBeUndefined();
  });

  it('answers a decision that writes nothing from the stored item, never from the kept copy', async () => {
    const { item, first } = await anItem();
    const claim = await claimWork(deps, asAgent(first), { id: item.id, agentId: first });
    await releaseWork(elsewhere, asAgent(first), { id: item.id, claimToken: claim.claim.token });
    const seen: string[] = [];
    sent.length = 0;

    const { item: answered } = await changeWorkItem(deps, asAdmin(), item.id, (current) => {
      seen.push(current.status);
      return { item: current, change: { writes: [], events: [] } };
    });

    expect(seen).toEqual(['claimed', 'ready']);
    expect(answered.status).toBe('ready');
    expect(workOnly()).toEqual(['GetItemCommand Work']);
  });
});
