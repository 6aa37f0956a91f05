import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentKey } from '#adapters/dynamo/keys';
import { agentsTable, tableName } from '#adapters/dynamo/tables';
import { claimNext } from '#app/use-cases/claim-next';
import { completeWork } from '#app/use-cases/complete-work';
import { createWork } from '#app/use-cases/create-work';
import { createTestStore, type TestStore } from '#test/support/dynamo';
import { asAdmin, asAgent, aTeam, registerAgents, type UseCaseDeps, useCaseDeps } from './fixture';

let store: TestStore;
let deps: UseCaseDeps;

beforeAll(async () => {
  store = await createTestStore('uc-first-read');
  deps = useCaseDeps(store);
});

afterAll(async () => {
  await store.cleanup();
});

/** `deps` whose agent reads take `delayMs` longer, recording when reads start and end. */
const timedDeps = (delayMs: number, log: string[]): UseCaseDeps => ({
  ...deps,
  agents: Object.assign(Object.create(deps.agents) as UseCaseDeps['agents'], {
    get: async (id: string) => {
      log.push('agent read starts');
      const agent = await deps.agents.get(id);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      log.push('agent read ends');
      return agent;
    },
  }),
  work: Object.assign(Object.create(deps.work) as UseCaseDeps['work'], {
    readyCandidates: (teams: readonly string[], limit: number) => {
      log.push(`ready read of ${teams.join(',')}`);
      return deps.work.readyCandidates(teams, limit);
    },
  }),
});

describe('claimNext: the first read of the ready index', () => {
  it('starts beside the agent read once this process has seen the agent, and claims the most urgent item', async () => {
    const team = aTeam();
    const [agentId = ''] = await registerAgents(deps, 1, { team });
    const first = await createWork(deps, asAdmin(), {
      type: 'task',
      title: 'first',
      team,
      businessValue: 10,
    });
    const warmUp = await claimNext(deps, asAgent(agentId), { agentId });
    expect(warmUp?.item.id).toBe(first.id);
    await completeWork(deps, asAgent(agentId), { id: first.id, claimToken: warmUp?.claim.token ?? '' });
    await createWork(deps, asAdmin(), { type: 'task', title: 'low', team, businessValue: 1 });
    const urgent = await createWork(deps, asAdmin(), {
      type: 'task',
      title: 'urgent',
      team,
      businessValue: 90,
    });

    const log: string[] = [];
    const claim = await claimNext(timedDeps(50, log), asAgent(agentId), { agentId });

    expect(claim?.item.id).toBe(urgent.id);
    // One read of the index, started before the agent's read ended.
    expect(log).toEqual([`ready read of ${team}`, 'agent read starts', 'agent read ends']);
  });

  it('reads the agent’s own team afresh when the team it remembered is no longer the agent’s', async () => {
    const [oldTeam, newTeam] = [aTeam(), aTeam()];
    const [agentId = ''] = await registerAgents(deps, 1, { team: oldTeam });
    const before = await createWork(deps, asAdmin(), { type: 'task', title: 'before', team: oldTeam });
    const warmUp = await claimNext(deps, asAgent(agentId), { agentId });
    expect(warmUp?.item.id).toBe(before.id);
    await completeWork(deps, asAgent(agentId), { id: before.id, claimToken: warmUp?.claim.token ?? '' });
    // The agent now works in another team (as its record says; the service remembered the old one).
    await DynamoDBDocumentClient.from(store.client).send(
      new UpdateCommand({
        TableName: tableName(store.tablePrefix, agentsTable),
        Key: agentKey(agentId),
        UpdateExpression: 'SET team = :team',
        ExpressionAttributeValues: { ':team': newTeam },
      }),
    );
    await createWork(deps, asAdmin(), { type: 'task', title: 'old team', team: oldTeam, businessValue: 99 });
    const mine = await createWork(deps, asAdmin(), { type: 'task', title: 'new team', team: newTeam });

    const log: string[] = [];
    const claim = await claimNext(timedDeps(0, log), asAgent(agentId), { agentId });

    expect(claim?.item.id).toBe(mine.id);
    expect(log).toContain(`ready read of ${newTeam}`);
  });
});
