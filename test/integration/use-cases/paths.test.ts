import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimNext } from '#app/use-cases/claim-next';
import { claimWork } from '#app/use-cases/claim-work';
import { completeWork } from '#app/use-cases/complete-work';
import { createWork } from '#app/use-cases/create-work';
import { getConfig } from '#app/use-cases/get-config';
import { updateConfig } from '#app/use-cases/update-config';
import { PathsInUseError, ValidationError } from '#core/errors';
import { createTestStore, type TestStore } from '#test/support/dynamo';
import { asAdmin, asAgent, aTeam, registerAgents, type UseCaseDeps, useCaseDeps } from './fixture';

let store: TestStore;
let deps: UseCaseDeps;

beforeAll(async () => {
  store = await createTestStore('uc-paths');
  deps = useCaseDeps(store);
});

afterAll(async () => {
  await store.cleanup();
});

/** A team under `policy` (set through `PUT /v1/config`), two agents, and an item in flight touching `src/core/**`. */
const setup = async (policy: 'block' | 'warn' | 'off') => {
  const team = aTeam();
  await updateConfig(deps, asAdmin(), { pathOverlap: { [team]: policy } });
  const [holder, other] = (await registerAgents(deps, 2, { team, capacity: 3 })) as [string, string];
  const held = await createWork(deps, asAdmin(), {
    type: 'task',
    title: 'Refactor the core',
    team,
    priority: 'high',
    paths: ['src/core/**'],
  });
  const claimed = await claimWork(deps, asAgent(holder), { id: held.id, agentId: holder });
  return { team, holder, other, held, heldToken: claimed.claim.token };
};

describe('paths on create', () => {
  it('stores the normalized globs and shows them on the item', async () => {
    const item = await createWork(deps, asAdmin(), {
      type: 'task',
      title: 'Docs',
      team: aTeam(),
      paths: ['docs/', 'README.md', 'README.md'],
    });
    expect(item.paths).toEqual(['docs/**', 'README.md']);
    expect((await deps.work.get(item.id))?.paths).toEqual(['docs/**', 'README.md']);
  });

  it('refuses a path that climbs out of the repository and stores nothing', async () => {
    const team = aTeam();
    await expect(
      createWork(deps, asAdmin(), { type: 'task', title: 'Bad', team, paths: ['src/../../etc'] }),
    ).rejects.toThrow(ValidationError);
    const listed = await deps.work.list({ team, limit: 10 });
    expect(listed.items).toHaveLength(0);
  });
});

describe('claim under block', () => {
  it('answers 409 paths_in_use naming the holder and changes nothing', async () => {
    const { team, holder, other, held } = await setup('block');
    const overlapping = await createWork(deps, asAdmin(), {
      type: 'task',
      title: 'Fix the claim',
      team,
      paths: ['src/core/work/claim.ts'],
    });

    await expect(claimWork(deps, asAgent(other), { id: overlapping.id, agentId: other })).rejects.toThrow(
      expect.objectContaining({
        code: 'paths_in_use',
        details: {
          holder: expect.objectContaining({ agentId: holder, workId: held.id, status: 'active' }),
          paths: ['src/core/work/claim.ts', 'src/core/**'],
        },
      }),
    );
    expect((await deps.work.get(overlapping.id))?.status).toBe('ready');
    expect((await deps.agents.get(other))?.activeClaims).toBe(0);
  });

  it('lets the same item be claimed once the overlapping one is completed', async () => {
    const { team, holder, other, held, heldToken } = await setup('block');
    const overlapping = await createWork(deps, asAdmin(), {
      type: 'task',
      title: 'Later',
      team,
      paths: ['src/**'],
    });
    await expect(claimWork(deps, asAgent(other), { id: overlapping.id, agentId: other })).rejects.toThrow(
      PathsInUseError,
    );

    await completeWork(deps, asAgent(holder), { id: held.id, claimToken: heldToken });
    const claimed = await claimWork(deps, asAgent(other), { id: overlapping.id, agentId: other });

    expect(claimed.item.status).toBe('claimed');
    expect(claimed.overlaps).toBeUndefined();
  });

  it('claim-next skips the overlapping item and takes the next most urgent one that fits', async () => {
    const { team, other } = await setup('block');
    await createWork(deps, asAdmin(), {
      type: 'task',
      title: 'Urgent but overlapping',
      team,
      priority: 'critical',
      paths: ['src/core/work/*.ts'],
    });
    const free = await createWork(deps, asAdmin(), {
      type: 'task',
      title: 'Web',
      team,
      priority: 'low',
      paths: ['web/**'],
    });

    const claimed = await claimNext(deps, asAgent(other), { agentId: other });

    expect(claimed?.item.id).toBe(free.id);
  });

  it('claim-next answers nothing (204) when only overlapping items are ready', async () => {
    const { team, other } = await setup('block');
    await createWork(deps, asAdmin(), { type: 'task', title: 'Overlap', team, paths: ['src/core/x.ts'] });

    expect(await claimNext(deps, asAgent(other), { agentId: other })).toBeUndefined();
  });

  it('lets the holder itself take another overlapping item', async () => {
    const { team, holder } = await setup('block');
    const mine = await createWork(deps, asAdmin(), {
      type: 'task',
      title: 'Mine too',
      team,
      paths: ['src/core/y.ts'],
    });

    const claimed = await claimWork(deps, asAgent(holder), { id: mine.id, agentId: holder });

    expect(claimed.item.claim?.agentId).toBe(holder);
  });
});

describe('claim under warn', () => {
  it('claims and lists the overlap with its holder', async () => {
    const { team, holder, other, held } = await setup('warn');
    const overlapping = await createWork(deps, asAdmin(), {
      type: 'task',
      title: 'Overlap',
      team,
      paths: ['src/**/*.ts'],
    });

    const claimed = await claimWork(deps, asAgent(other), { id: overlapping.id, agentId: other });

    expect(claimed.item.status).toBe('claimed');
    expect(claimed.overlaps).toEqual([
      {
        holder: expect.objectContaining({ agentId: holder, workId: held.id }),
        paths: ['src/**/*.ts', 'src/core/**'],
      },
    ]);
  });

  it('claim-next takes the most urgent item and lists its overlap', async () => {
    const { team, other, held } = await setup('warn');
    const overlapping = await createWork(deps, asAdmin(), {
      type: 'task',
      title: 'Overlap',
      team,
      priority: 'critical',
      paths: ['src'],
    });
    await createWork(deps, asAdmin(), {
      type: 'task',
      title: 'Free',
      team,
      priority: 'low',
      paths: ['web/**'],
    });

    const claimed = await claimNext(deps, asAgent(other), { agentId: other });

    expect(claimed?.item.id).toBe(overlapping.id);
    expect(claimed?.overlaps?.map((overlap) => overlap.holder.workId)).toEqual([held.id]);
  });
});

describe('claim under off', () => {
  it('claims overlapping items without a word', async () => {
    const { team, other } = await setup('off');
    const overlapping = await createWork(deps, asAdmin(), {
      type: 'task',
      title: 'Overlap',
      team,
      paths: ['src/core/**'],
    });

    const claimed = await claimWork(deps, asAgent(other), { id: overlapping.id, agentId: other });

    expect(claimed.overlaps).toBeUndefined();
  });
});

describe('the paths policy in config', () => {
  it('is part of GET /v1/config and merges team by team', async () => {
    const [a, b] = [aTeam(), aTeam()];
    await updateConfig(deps, asAdmin(), { pathOverlap: { [a]: 'warn' } });
    await updateConfig(deps, asAdmin(), { pathOverlap: { [b]: 'block' } });

    const config = await getConfig(deps, asAdmin());

    expect(config.pathOverlap).toMatchObject({ '*': 'off', [a]: 'warn', [b]: 'block' });
  });
});
