import { describe, expect, it } from 'vitest';
import type { LegacyFileKind } from '../../../../cli/legacy/files';
import type { ImportWork } from '../../../../cli/legacy/import-records';
import { mapLegacy } from '../../../../cli/legacy/map';
import type { ImportPlan } from '../../../../cli/legacy/plan';
import { readLegacyFiles } from '../../../../cli/legacy/read';
import { fixtureJson, planFixture } from '../support/legacy-fixtures';

type LegacyClaim = Record<string, unknown> & {
  work_item_id: string;
  status: string;
  agent_id: string | null;
};
type LegacyAgent = Record<string, unknown> & { agent_id: string };

const work = (plan: ImportPlan, id: string): ImportWork => {
  const found = plan.work.find((entry) => entry.id === id);
  if (!found) throw new Error(`no work item ${id} in the plan`);
  return found.record;
};

const tally = (values: readonly string[]) => {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
};

const planOf = (files: { kind: LegacyFileKind; name: string; value: unknown }[]) =>
  mapLegacy(
    readLegacyFiles(
      files.map((file) => ({
        kind: file.kind,
        name: file.name,
        text: JSON.stringify(file.value, null, 2),
        modifiedAt: '2026-01-01T00:00:00.000Z',
      })),
      { salvage: false },
    ),
  );

describe('mapLegacy on the main dataset', () => {
  const claims = fixtureJson<LegacyClaim[]>('work_claims.json');
  const agents = fixtureJson<LegacyAgent[]>('agent_status.json');
  const log =
    fixtureJson<{ work_item_id: string; agent_id: string; completed_at: string }[]>('coordination_log.json');

  it('keeps every agent and every claim with its legacy id', async () => {
    const plan = await planFixture();
    expect(plan.agents.map((agent) => agent.id).sort()).toEqual(agents.map((agent) => agent.agent_id).sort());
    expect(plan.work.map((item) => item.id)).toEqual(claims.map((claim) => claim.work_item_id));
    expect(plan.rejected).toEqual([]);
  });

  it('maps statuses: active to claimed, custom to in_progress, failed results to failed', async () => {
    const plan = await planFixture();
    expect(tally(plan.work.map((item) => item.record.status))).toEqual({
      claimed: 15,
      in_progress: 10,
      completed: 13,
      failed: 2,
    });
    const blocked = claims.find((claim) => claim.status === 'blocked') as LegacyClaim;
    const mapped = work(plan, blocked.work_item_id);
    expect(mapped.status).toBe('in_progress');
    expect(mapped.metadata?.legacy).toMatchObject({ status: 'blocked' });
    expect(plan.work.find((item) => item.id === blocked.work_item_id)?.notes).toEqual([
      "custom status 'blocked' imported as in_progress (kept in metadata.legacy.status)",
    ]);
  });

  it('keeps teams, priorities and progress as the files have them', async () => {
    const plan = await planFixture();
    expect(tally(plan.work.map((item) => item.record.team))).toEqual({
      api_team: 16,
      platform_team: 14,
      web_team: 10,
    });
    expect(tally(plan.work.map((item) => item.record.priority as string))).toEqual({
      critical: 5,
      high: 13,
      medium: 15,
      low: 7,
    });
    const withProgress = claims.filter((claim) => typeof claim.progress === 'number');
    expect(withProgress).toHaveLength(23);
    for (const claim of withProgress) expect(work(plan, claim.work_item_id).progress).toBe(claim.progress);
  });

  it('gives held items their claim and finished items their completion', async () => {
    const plan = await planFixture();
    for (const claim of claims) {
      const mapped = work(plan, claim.work_item_id);
      if (claim.status === 'completed') {
        expect(mapped.claim).toBeUndefined();
        expect(mapped.completedAt).toBe(claim.completed_at);
        expect(mapped.result).toBe(claim.result);
      } else {
        expect(mapped.claim).toEqual({ agentId: claim.agent_id, claimedAt: claim.claimed_at });
      }
    }
  });

  it('keeps the fields without a place of their own in metadata.legacy', async () => {
    const plan = await planFixture();
    const first = claims[0] as LegacyClaim;
    expect(work(plan, first.work_item_id).metadata).toEqual({
      legacy: {
        agent_id: first.agent_id,
        reactor_id: 'shell_agent',
        claimed_at: first.claimed_at,
        estimated_duration: '30m',
        status: 'completed',
        telemetry: first.telemetry,
        last_update: first.last_update,
      },
      legacySource: 'work_claims.json',
    });
  });

  it('keeps an item progressed after completion in progress, its completion in metadata and history', async () => {
    const plan = await planFixture();
    const reopened = claims.find(
      (claim) => claim.status === 'in_progress' && claim.completed_at,
    ) as LegacyClaim;
    const mapped = work(plan, reopened.work_item_id);
    expect(mapped).toMatchObject({
      status: 'in_progress',
      progress: 95,
      claim: { agentId: reopened.agent_id },
    });
    expect(mapped.completedAt).toBeUndefined();
    expect(mapped.metadata?.legacy).toMatchObject({
      completed_at: reopened.completed_at,
      result: reopened.result,
    });
    expect(
      plan.events.some(
        (e) => e.record.entityId === reopened.work_item_id && e.record.action === 'work.completed',
      ),
    ).toBe(true);
  });

  it('turns each of the 17 log entries into a completion event, marking the repeat', async () => {
    const plan = await planFixture();
    const completions = plan.events.filter((e) =>
      ['work.completed', 'work.failed'].includes(e.record.action),
    );
    expect(completions).toHaveLength(log.length);
    const repeated = completions.filter((e) => e.record.details?.repeated === true);
    expect(repeated).toHaveLength(1);
    const twice = log.filter((entry) => entry.work_item_id === repeated[0]?.record.entityId);
    expect(twice).toHaveLength(2);
    expect(repeated[0]?.record).toMatchObject({ actorId: twice[1]?.agent_id, at: twice[1]?.completed_at });
    expect(completions.reduce((sum, e) => sum + Number(e.record.details?.velocityPoints), 0)).toBe(100);
  });

  it('keeps the agent id found only in the log as an event actor, not as an agent', async () => {
    const plan = await planFixture();
    const known = new Set(agents.map((agent) => agent.agent_id));
    const stranger = log.find((entry) => !known.has(entry.agent_id));
    expect(stranger?.agent_id).toBe('agent_1795604895930618750');
    expect(plan.events.some((e) => e.record.actorId === stranger?.agent_id)).toBe(true);
    expect(plan.agents.some((agent) => agent.id === stranger?.agent_id)).toBe(false);
  });

  it('records the claim the script announced but never stored, from its span', async () => {
    const plan = await planFixture();
    const unstored = plan.events.filter((e) => e.record.details?.notStored === true);
    expect(unstored).toHaveLength(1);
    expect(plan.work.some((item) => item.id === unstored[0]?.record.entityId)).toBe(false);
    expect(plan.events.filter((e) => e.record.action === 'work.progress')).toHaveLength(28);
  });

  it('skips the 40 claim spans and 58 Phoenix events that repeat what the files hold', async () => {
    const plan = await planFixture();
    expect(tally(plan.skipped.map((entry) => entry.reason))).toEqual({
      'claim span: the claim record holds the same claim': 40,
      'phoenix event: names no work item (claims and log hold the same facts)': 58,
    });
  });

  it('sends events oldest first, each identity once', async () => {
    const plan = await planFixture();
    const times = plan.events.map((e) => Date.parse(e.record.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const identities = plan.events.map((e) =>
      JSON.stringify([e.record.entityId, e.record.action, e.record.at, e.record.actorId]),
    );
    expect(new Set(identities).size).toBe(identities.length);
  });

  it('turns capacity percentages into claim counts of at least the claims held', async () => {
    const plan = await planFixture();
    const capacities = Object.fromEntries(plan.agents.map((agent) => [agent.id, agent.record.capacity]));
    // 100 % and 90 % of five claims; the 50 % agent holds four items, more than its 3.
    expect(capacities.agent_1795250283357469454).toBe(5);
    expect(capacities.agent_1795250283561596514).toBe(5);
    expect(capacities.agent_1795250283702699560).toBe(4);
  });

  it('keeps heartbeat and specialization, and dates an agent from its id', async () => {
    const plan = await planFixture();
    for (const legacy of agents) {
      const mapped = plan.agents.find((agent) => agent.id === legacy.agent_id)?.record;
      expect(mapped?.lastHeartbeatAt).toBe(legacy.last_heartbeat);
      expect(mapped?.capabilities).toEqual([legacy.specialization]);
      expect(mapped?.metadata?.legacy).toMatchObject({ capacity: legacy.capacity, current_workload: 0 });
    }
    expect(plan.agents[0]?.record.createdAt).toBe('2026-11-21T08:38:03.409Z');
  });

  it('maps the same directory to the same records every time', async () => {
    expect(await planFixture()).toEqual(await planFixture());
  });
});

describe('mapLegacy on upstream records', () => {
  it('imports pending items as ready, without a claim, with their creator as history', async () => {
    const plan = await planFixture('upstream-sample');
    const pending = work(plan, 'work_optimization_1750057307662627000');
    expect(pending).toMatchObject({ status: 'ready', createdAt: '2025-06-16T07:01:47Z' });
    expect(pending.claim).toBeUndefined();
    expect(pending.metadata?.legacy).toMatchObject({
      created_by: 'continuous_optimization_loop',
      agent_id: null,
    });
    expect(plan.events.map((e) => e.record)).toContainEqual(
      expect.objectContaining({
        action: 'work.created',
        actorId: 'continuous_optimization_loop',
        entityId: 'work_optimization_1750057307662627000',
      }),
    );
  });

  it('imports an unknown priority as medium and keeps it', async () => {
    const plan = await planFixture('upstream-sample');
    const item = work(plan, 'work_1750060008388939000');
    expect(item.priority).toBe('medium');
    expect(item.metadata?.legacy).toMatchObject({ priority: 'test' });
  });

  it('skips the identical second copy of an agent', async () => {
    const plan = await planFixture('upstream-sample');
    expect(plan.agents.filter((agent) => agent.id === 'agent_1734567890123456000')).toHaveLength(1);
    expect(plan.skipped).toContainEqual(
      expect.objectContaining({ kind: 'agents', reason: 'duplicate id: identical copy' }),
    );
  });

  it('makes placeholder agents for claims of agents missing from agent_status.json', async () => {
    const plan = await planFixture('upstream-sample');
    const placeholders = plan.agents.filter((agent) => agent.record.metadata?.legacyPlaceholder === true);
    expect(placeholders.map((agent) => agent.id).sort()).toEqual([
      'agent_1750056733367475000',
      'agent_1750060008386002000',
    ]);
    expect(placeholders[0]?.record).toMatchObject({ team: 'meta_8020_team', capacity: 5 });
  });

  it('notes an agent without a heartbeat and keeps the span that does not parse out', async () => {
    const plan = await planFixture('upstream-sample');
    expect(plan.agents.find((agent) => agent.id === 'agent_1734567890123456000')?.notes[0]).toMatch(
      /^no last_heartbeat/,
    );
    expect(tally(plan.skipped.map((entry) => entry.reason))).toMatchObject({
      'span without a work item id': 1,
      'does not parse': 1,
    });
  });
});

describe('mapLegacy on the swarmsh variant', () => {
  it('imports the fast-path claims, the claims file and the archive', async () => {
    const plan = await planFixture('swarmsh-variant');
    expect(tally(plan.work.map((item) => item.record.metadata?.legacySource as string))).toEqual({
      'work_claims.json': 3,
      'archived_claims/completed_claims_20261125_124419.json': 1,
      'work_claims_fast.jsonl': 6,
    });
    expect(work(plan, 'work_1795610658668866792')).toMatchObject({ status: 'completed', result: 'success' });
  });

  it('completes the fast item the log completed, although the fast file says active', async () => {
    const plan = await planFixture('swarmsh-variant');
    const item = work(plan, 'work_1795610658269231476');
    expect(item).toMatchObject({
      status: 'completed',
      completedAt: '2026-11-25T12:44:19Z',
      result: 'success',
    });
    expect(item.claim).toBeUndefined();
    expect(item.metadata?.legacy).toMatchObject({ status: 'active' });
  });

  it('makes placeholders for the three fast-path agents that never registered', async () => {
    const plan = await planFixture('swarmsh-variant');
    const placeholders = plan.agents.filter((agent) => agent.record.metadata?.legacyPlaceholder === true);
    expect(placeholders.map((agent) => agent.id).sort()).toEqual([
      'agent_1795250283409565600',
      'agent_1795250283608232111',
      'agent_1795250283655596169',
    ]);
    expect(plan.agents).toHaveLength(7);
  });
});

describe('mapLegacy record problems', () => {
  it('rejects an agent without agent_id and keeps the other seven', async () => {
    const agents = fixtureJson<unknown[]>('corrupted/variants/agent_status.bad-fields.json');
    const plan = planOf([{ kind: 'agents', name: 'agent_status.json', value: agents }]);
    expect(plan.agents).toHaveLength(7);
    expect(plan.rejected).toEqual([
      {
        kind: 'agents',
        source: { file: 'agent_status.json', index: 2, byte: expect.any(Number) },
        reason: 'agent without agent_id',
      },
    ]);
  });

  it('notes wrong field types and keeps the values in metadata.legacy', () => {
    const plan = planOf([
      {
        kind: 'agents',
        name: 'agent_status.json',
        value: [{ agent_id: 'agent_x1', team: 'api_team', capacity: 'eighty', last_heartbeat: 'yesterday' }],
      },
    ]);
    const agent = plan.agents[0];
    expect(agent?.notes).toEqual([
      'capacity: expected a number, found a string (kept in metadata.legacy)',
      "last_heartbeat: 'yesterday' is not a timestamp (kept in metadata.legacy)",
      'no last_heartbeat: lastHeartbeatAt set to 2026-01-01T00:00:00.000Z',
    ]);
    expect(agent?.record.metadata?.legacy).toEqual({ capacity: 'eighty', last_heartbeat: 'yesterday' });
  });

  it('rejects claims without an id or that are not objects, naming file and position', () => {
    const plan = planOf([
      {
        kind: 'claims',
        name: 'work_claims.json',
        value: [{ description: 'no id' }, 42, { work_item_id: 'work_1' }],
      },
    ]);
    expect(plan.work.map((item) => item.id)).toEqual(['work_1']);
    expect(plan.rejected.map((entry) => [entry.source?.index, entry.reason])).toEqual([
      [0, 'claim without work_item_id'],
      [1, 'not a JSON object'],
    ]);
  });

  it('maps ids the service refuses by the documented rule, consistently across records', () => {
    const plan = planOf([
      {
        kind: 'claims',
        name: 'work_claims.json',
        value: [
          {
            work_item_id: 'work #1',
            agent_id: 'bad agent!',
            status: 'active',
            team: 'a team',
            work_type: 'x',
          },
        ],
      },
      { kind: 'log', name: 'coordination_log.json', value: [] },
    ]);
    const item = plan.work[0];
    expect(item?.id).toMatch(/^legacy\.work__1\.[0-9a-f]{8}$/);
    expect(item?.record.claim?.agentId).toMatch(/^legacy\.bad_agent_\.[0-9a-f]{8}$/);
    expect(item?.record.team).toBe('a_team');
    expect(plan.agents.map((agent) => agent.id)).toEqual([item?.record.claim?.agentId]);
    expect(item?.record.metadata?.legacy).toMatchObject({
      work_item_id: 'work #1',
      agent_id: 'bad agent!',
      team: 'a team',
    });
  });

  it('imports a held item without an agent as ready', () => {
    const plan = planOf([
      {
        kind: 'claims',
        name: 'work_claims.json',
        value: [{ work_item_id: 'work_2', status: 'active', agent_id: null }],
      },
    ]);
    expect(plan.work[0]?.record.status).toBe('ready');
    expect(plan.work[0]?.notes).toContain("status 'active' without an agent: imported as ready");
  });

  it('splits a long or multi-line description into a title and the whole text', () => {
    const long = 'x'.repeat(300);
    const plan = planOf([
      {
        kind: 'claims',
        name: 'work_claims.json',
        value: [
          { work_item_id: 'work_5', description: long },
          { work_item_id: 'work_6', description: 'First line\nsecond line' },
          { work_item_id: 'work_7', description: 'Short', work_type: 'ops' },
          { work_item_id: 'work_8', work_type: 'ops' },
        ],
      },
    ]);
    expect(plan.work.map((item) => [item.record.title, item.record.description])).toEqual([
      [`${'x'.repeat(199)}…`, long],
      ['First line', 'First line\nsecond line'],
      ['Short', undefined],
      ['ops', undefined],
    ]);
  });

  it('clamps progress to 0..100 and keeps the original', () => {
    const plan = planOf([
      {
        kind: 'claims',
        name: 'work_claims.json',
        value: [{ work_item_id: 'work_3', status: 'in_progress', agent_id: 'agent_1', progress: 150 }],
      },
    ]);
    expect(plan.work[0]?.record.progress).toBe(100);
    expect(plan.work[0]?.record.metadata?.legacy).toMatchObject({ progress: 150 });
  });

  it('keeps the claims-file copy of an id over the fast-path copy', () => {
    const plan = planOf([
      {
        kind: 'claims',
        name: 'work_claims.json',
        value: [{ work_item_id: 'work_4', status: 'completed', agent_id: 'agent_1' }],
      },
      {
        kind: 'fast-claims',
        name: 'work_claims_fast.jsonl',
        value: { work_item_id: 'work_4', status: 'active', agent_id: 'agent_1' },
      },
    ]);
    expect(plan.work.map((item) => item.record.status)).toEqual(['completed']);
    expect(plan.skipped).toEqual([
      expect.objectContaining({
        kind: 'work',
        reason: 'duplicate id: superseded',
        detail: 'kept work_claims.json record 0',
      }),
    ]);
  });
});
