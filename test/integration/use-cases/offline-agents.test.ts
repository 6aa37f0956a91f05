/**
 * Announcing silent agents offline against DynamoDB Local, when the pass loses a race to a
 * heartbeat and when the store stops answering for one agent. The file has its own tables, so
 * the page of agents is exactly the agents registered here.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyHeartbeats } from '#app/use-cases/apply-heartbeats';
import { systemContext } from '#app/use-cases/shared/escalations';
import { announceOfflineAgents } from '#app/use-cases/sweep/offline-agents';
import { UnavailableError } from '#core/errors';
import type { Change } from '#core/ports';
import { DEFAULT_SETTINGS } from '#core/settings';
import { createTestStore, type TestStore } from '#test/support/dynamo';
import { aTeam, registerAgents, type UseCaseDeps, useCaseDeps } from './fixture';

let store: TestStore;
let deps: UseCaseDeps;

beforeEach(async () => {
  store = await createTestStore('uc-offline');
  deps = useCaseDeps(store);
});

afterEach(async () => {
  await store.cleanup();
});

/** The agent a change writes (the one being announced). */
const agentOf = (change: Change): string => {
  const write = change.writes.find((each) => each.kind === 'agent');
  if (write?.kind !== 'agent') throw new Error('no agent write');
  return write.agent.id;
};

/** The `agent.status` events that announced the agent offline. */
const offlineNotices = async (agentId: string) =>
  (await deps.audit.list({ entityId: agentId, limit: 50 })).items.filter(
    (e) => e.action === 'agent.status' && (e.after as { status?: string } | undefined)?.status === 'offline',
  );

/** Registers two agents, then lets them fall silent past the heartbeat timeout. */
const silentPair = async () => {
  const agents = (await registerAgents(deps, 2, { team: aTeam() })) as [string, string];
  store.clock.advance(3 * 30 + 1);
  return agents;
};

const pass = (on: UseCaseDeps) =>
  announceOfflineAgents(on, { ...systemContext(on, 'run-1'), settings: DEFAULT_SETTINGS }, { limit: 10 });

describe('announcing offline agents', () => {
  it('does not announce an agent whose heartbeat won the race, and announces the other', async () => {
    const agents = await silentPair();
    let raced: string | undefined;
    const racing: UseCaseDeps = {
      ...deps,
      uow: {
        commit: async (change) => {
          if (raced === undefined) {
            raced = agentOf(change);
            await applyHeartbeats(deps, [{ agentId: raced, at: store.clock.iso(), requestId: 'hb-1' }]);
          }
          await deps.uow.commit(change);
        },
      },
    };

    const result = await pass(racing);

    expect(result).toEqual({ announced: 1 });
    const other = agents.find((id) => id !== raced) as string;
    expect(await offlineNotices(raced as string)).toEqual([]);
    expect(await offlineNotices(other)).toEqual([
      expect.objectContaining({ after: expect.objectContaining({ status: 'offline' }) }),
    ]);
  });

  it('goes on past an agent the store cannot write, which the next pass announces', async () => {
    const agents = await silentPair();
    let failed: string | undefined;
    const flaky: UseCaseDeps = {
      ...deps,
      uow: {
        commit: async (change) => {
          if (failed === undefined) {
            failed = agentOf(change);
            throw new UnavailableError('throttled');
          }
          await deps.uow.commit(change);
        },
      },
    };

    expect(await pass(flaky)).toEqual({ announced: 1 });
    expect(await offlineNotices(failed as string)).toEqual([]);

    expect(await pass(deps)).toEqual({ announced: 1 });
    for (const id of agents) expect(await offlineNotices(id)).toHaveLength(1);
  });

  it('lets any other failure end the pass', async () => {
    await silentPair();
    const broken: UseCaseDeps = {
      ...deps,
      uow: {
        commit: async () => {
          throw new Error('bug');
        },
      },
    };

    await expect(pass(broken)).rejects.toThrow('bug');
  });

  it('hands back the cursor of the next page when the page was full', async () => {
    await silentPair();

    const first = await announceOfflineAgents(
      deps,
      { ...systemContext(deps, 'run-2'), settings: DEFAULT_SETTINGS },
      { limit: 1 },
    );

    expect(first.announced).toBe(1);
    expect(first.cursor).toEqual(expect.any(String));
    const rest = await announceOfflineAgents(
      deps,
      { ...systemContext(deps, 'run-2'), settings: DEFAULT_SETTINGS },
      { limit: 1, cursor: first.cursor as string },
    );
    expect(rest.announced).toBe(1);
  });
});
