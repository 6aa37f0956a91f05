import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '#core/model';
import type { AgentQuery, Page } from '#core/ports';
import { anAgent } from '#test/support/builders';
import { createTestStore, insert, type TestStore } from '#test/support/dynamo';
import { allPages } from '#test/support/paging';

let store: TestStore;
const agents: Agent[] = [];

beforeAll(async () => {
  store = await createTestStore('agents');
  for (const team of ['web', 'core']) {
    for (let n = 0; n < 4; n += 1) agents.push(anAgent({ id: `${team}-agent-${n}`, team }));
  }
  agents.push(anAgent({ id: 'core-agent-9', team: 'core', activeClaims: 1, capacity: 2 }));
  await insert(store.ports, { agents: [...agents].reverse() });
});

afterAll(async () => {
  await store.cleanup();
});

const pagesOf = (query: Omit<AgentQuery, 'cursor'>): Promise<Page<Agent>[]> =>
  allPages((q: AgentQuery) => store.ports.agents.list(q), query);

const idsOf = (pages: readonly Page<Agent>[]): string[] =>
  pages.flatMap((page) => page.items.map((a) => a.id));

describe('agent list', () => {
  it('lists a team’s agents by id, page by page, with no cursor on the last page', async () => {
    const pages = await pagesOf({ team: 'core', limit: 2 });

    expect(idsOf(pages)).toEqual([
      'core-agent-0',
      'core-agent-1',
      'core-agent-2',
      'core-agent-3',
      'core-agent-9',
    ]);
    expect(pages.map((page) => page.items.length)).toEqual([2, 2, 1]);
    expect(pages.at(-1)).not.toHaveProperty('nextCursor');
  });

  it('lists every agent by id without a team', async () => {
    const pages = await pagesOf({ limit: 4 });

    expect(idsOf(pages)).toEqual(agents.map((agent) => agent.id).sort());
  });

  it('returns whole agents', async () => {
    const page = await store.ports.agents.list({ team: 'core', limit: 10 });

    expect(page.items.find((agent) => agent.id === 'core-agent-9')).toStrictEqual(agents.at(-1));
  });

  it('returns an empty last page for an unknown team', async () => {
    expect(await store.ports.agents.list({ team: 'nobody', limit: 5 })).toEqual({ items: [] });
  });
});
