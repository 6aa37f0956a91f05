import { describe, expect, it } from 'vitest';
import {
  AgentRetiringError,
  AlreadyClaimedError,
  CapacityExceededError,
  InvalidStateError,
  MissingCapabilitiesError,
  NotClaimableError,
} from '#core/errors';
import { assertCanTakeWork, claimWork, freeHolder, reassignWork, revokeClaim } from '#core/work/claim';
import { aClaimedItem, anAgent, aWorkItem, minutesFromNow, NOW, workContext } from '../builders';

describe('claimWork', () => {
  it('claims a ready item with a fresh token, a lease and the holder snapshot', () => {
    const { item } = claimWork(aWorkItem(), anAgent(), 'tok-new', workContext());
    expect(item).toMatchObject({
      status: 'claimed',
      version: 2,
      updatedAt: NOW.toISOString(),
      claim: {
        agentId: 'agent-a',
        token: 'tok-new',
        claimedAt: NOW.toISOString(),
        leaseExpiresAt: minutesFromNow(5),
        holderLastHeartbeatAt: NOW.toISOString(),
        holderHeartbeatIntervalSec: 30,
      },
    });
    expect(item.readyAt).toBeUndefined();
  });

  it('counts the claim on the agent as a heartbeat under the capacity guard', () => {
    const { change } = claimWork(aWorkItem(), anAgent(), 'tok-new', workContext());
    expect(change.writes).toEqual([
      { kind: 'work', item: expect.objectContaining({ version: 2 }), expectedVersion: 1 },
      {
        kind: 'agentClaims',
        agentId: 'agent-a',
        delta: 1,
        heartbeatAt: NOW.toISOString(),
        stats: { claims: 1 },
      },
    ]);
  });

  it('records a work.claimed event with seq = new version and no claim token', () => {
    const { change } = claimWork(aWorkItem(), anAgent(), 'tok-secret', workContext());
    expect(change.events).toHaveLength(1);
    expect(change.events[0]).toMatchObject({
      action: 'work.claimed',
      entityType: 'work',
      entityId: 'wi-1',
      seq: 2,
      agentId: 'agent-a',
      team: 'core',
      requestId: 'req-1',
      before: { status: 'ready' },
      after: { status: 'claimed' },
    });
    expect(JSON.stringify(change.events)).not.toContain('tok-secret');
  });

  it('gives the holder a fresh token without touching its capacity', () => {
    const held = aClaimedItem('agent-a', 'tok-old');
    const full = anAgent({
      activeClaims: 1,
      capacity: 1,
      retirement: { mode: 'drain', requestedAt: NOW.toISOString() },
    });
    const { item, change } = claimWork(held, full, 'tok-new', workContext());
    expect(item.claim?.token).toBe('tok-new');
    expect(item.claim?.claimedAt).toBe(held.claim?.claimedAt);
    expect(item.claim?.leaseExpiresAt).toBe(minutesFromNow(5));
    expect(change.writes.map((w) => w.kind)).toEqual(['work']);
  });

  it('keeps an in-progress item in progress when its holder claims it again', () => {
    const held = aClaimedItem('agent-a', 'tok-old', { status: 'in_progress', progress: 40 });
    const { item } = claimWork(held, anAgent({ activeClaims: 1 }), 'tok-new', workContext());
    expect(item).toMatchObject({ status: 'in_progress', progress: 40 });
  });

  it('refuses an item another agent holds, naming the holder and its liveness', () => {
    const held = aClaimedItem('agent-b');
    expect(() => claimWork(held, anAgent(), 't', workContext())).toThrow(AlreadyClaimedError);
    expect(() => claimWork(held, anAgent(), 't', workContext())).toThrow(
      expect.objectContaining({
        details: {
          holder: {
            agentId: 'agent-b',
            status: 'active',
            lastHeartbeatAt: minutesFromNow(-1),
            leaseExpiresAt: minutesFromNow(4),
          },
        },
      }),
    );
  });

  it('reports a holder silent for over 3 intervals as offline', () => {
    const held = aClaimedItem('agent-b', 'tok', {}, 2);
    expect(() => claimWork(held, anAgent(), 't', workContext())).toThrow(
      expect.objectContaining({ details: { holder: expect.objectContaining({ status: 'offline' }) } }),
    );
  });

  it.each(['blocked', 'completed', 'failed', 'escalated', 'cancelled'] as const)(
    'refuses a %s item as not claimable',
    (status) => {
      expect(() => claimWork(aWorkItem({ status }), anAgent(), 't', workContext())).toThrow(
        expect.objectContaining({ code: 'not_claimable', details: { status } }),
      );
      expect(() => claimWork(aWorkItem({ status }), anAgent(), 't', workContext())).toThrow(
        NotClaimableError,
      );
    },
  );

  it('refuses a retiring agent', () => {
    const agent = anAgent({
      retirement: { mode: 'drain', requestedAt: NOW.toISOString() },
      activeClaims: 1,
      capacity: 3,
    });
    expect(() => claimWork(aWorkItem(), agent, 't', workContext())).toThrow(AgentRetiringError);
  });

  it('refuses an agent lacking required capabilities, listing them', () => {
    const item = aWorkItem({ requiredCapabilities: ['rust', 'gpu', 'sql'] });
    const agent = anAgent({ capabilities: ['sql'] });
    expect(() => claimWork(item, agent, 't', workContext())).toThrow(
      expect.objectContaining({ code: 'missing_capabilities', details: { missing: ['rust', 'gpu'] } }),
    );
    expect(() => claimWork(item, agent, 't', workContext())).toThrow(MissingCapabilitiesError);
  });

  it('refuses an agent at capacity', () => {
    const agent = anAgent({ capacity: 2, activeClaims: 2 });
    expect(() => claimWork(aWorkItem(), agent, 't', workContext())).toThrow(CapacityExceededError);
  });

  it('lets an offline agent claim (the claim counts as its heartbeat)', () => {
    const agent = anAgent({ lastHeartbeatAt: minutesFromNow(-600) });
    const { item } = claimWork(aWorkItem(), agent, 't', workContext());
    expect(item.claim?.holderLastHeartbeatAt).toBe(NOW.toISOString());
  });
});

describe('reassignWork', () => {
  it('returns a held item to ready without a target, freeing the holder, attempts unchanged', () => {
    const held = aClaimedItem('agent-b', 'tok', { attempts: 1 });
    const { item, change } = reassignWork(held, undefined, workContext());
    expect(item).toMatchObject({ status: 'ready', attempts: 1, readyAt: NOW.toISOString(), version: 3 });
    expect(item.claim).toBeUndefined();
    expect(change.writes[1]).toEqual({ kind: 'agentClaims', agentId: 'agent-b', delta: -1 });
    expect(change.events[0]).toMatchObject({ action: 'work.reassigned', agentId: 'agent-b' });
  });

  it('claims the item for the target with a fresh token and an assignment event at the agent version', () => {
    const held = aClaimedItem('agent-b', 'tok');
    const target = anAgent({ id: 'agent-c', version: 7, lastHeartbeatAt: minutesFromNow(-0.5) });
    const { item, change } = reassignWork(held, { agent: target, token: 'tok-c' }, workContext());
    expect(item.claim).toMatchObject({
      agentId: 'agent-c',
      token: 'tok-c',
      holderLastHeartbeatAt: minutesFromNow(-0.5),
    });
    expect(item.status).toBe('claimed');
    expect(change.writes).toEqual([
      expect.objectContaining({ kind: 'work', expectedVersion: 2 }),
      { kind: 'agentClaims', agentId: 'agent-b', delta: -1 },
      {
        kind: 'agent',
        agent: expect.objectContaining({ id: 'agent-c', activeClaims: 1, version: 8 }),
        expectedVersion: 7,
      },
    ]);
    expect(change.events.map((e) => [e.action, e.entityId, e.seq])).toEqual([
      ['work.reassigned', 'wi-1', 3],
      ['assignment', 'agent-c', 8],
    ]);
    expect(JSON.stringify(change.events)).not.toContain('tok-c');
  });

  it('assigns a ready item to a target', () => {
    const { item, change } = reassignWork(aWorkItem(), { agent: anAgent(), token: 'tok' }, workContext());
    expect(item.status).toBe('claimed');
    expect(change.writes.map((w) => w.kind)).toEqual(['work', 'agent']);
  });

  it('refuses a ready item without a target and items in other states', () => {
    expect(() => reassignWork(aWorkItem(), undefined, workContext())).toThrow(InvalidStateError);
    expect(() =>
      reassignWork(aWorkItem({ status: 'completed' }), { agent: anAgent(), token: 't' }, workContext()),
    ).toThrow(InvalidStateError);
  });

  it('checks the target like a claim: capacity, capabilities, retirement', () => {
    const held = aClaimedItem('agent-b');
    expect(() =>
      reassignWork(held, { agent: anAgent({ activeClaims: 1 }), token: 't' }, workContext()),
    ).toThrow(CapacityExceededError);
    expect(() =>
      reassignWork(
        aClaimedItem('agent-b', 'x', { requiredCapabilities: ['gpu'] }),
        { agent: anAgent(), token: 't' },
        workContext(),
      ),
    ).toThrow(MissingCapabilitiesError);
    expect(() =>
      reassignWork(
        held,
        { agent: anAgent({ retirement: { mode: 'drain', requestedAt: NOW.toISOString() } }), token: 't' },
        workContext(),
      ),
    ).toThrow(AgentRetiringError);
  });

  it('reassigning to the current holder only refreshes the token', () => {
    const held = aClaimedItem('agent-a', 'old', { status: 'in_progress', progress: 30 });
    const { item, change } = reassignWork(
      held,
      { agent: anAgent({ activeClaims: 1 }), token: 'new' },
      workContext(),
    );
    expect(item).toMatchObject({ status: 'in_progress', progress: 30, claim: { token: 'new' } });
    expect(change.writes).toEqual([
      expect.objectContaining({ kind: 'work' }),
      expect.objectContaining({ kind: 'agent', agent: expect.objectContaining({ activeClaims: 1 }) }),
    ]);
  });
});

describe('revokeClaim', () => {
  it('returns a held item to ready under the given action, freeing the holder, attempts unchanged', () => {
    const decision = revokeClaim(
      aClaimedItem('agent-b', 'tok', { attempts: 1 }),
      'work.released',
      workContext(),
    );
    expect(decision?.item).toMatchObject({ status: 'ready', attempts: 1, readyAt: NOW.toISOString() });
    expect(decision?.change.writes[1]).toEqual({ kind: 'agentClaims', agentId: 'agent-b', delta: -1 });
    expect(decision?.change.events[0]).toMatchObject({ action: 'work.released', agentId: 'agent-b' });
  });

  it('does nothing to an item nobody holds', () => {
    expect(revokeClaim(aWorkItem(), 'work.released', workContext())).toBeUndefined();
  });
});

describe('claims on ended items and retiring agents', () => {
  const retiring = { retirement: { mode: 'drain' as const, requestedAt: NOW.toISOString() } };
  // An ended item keeps its last claim for the record; that claim holds nothing any more.
  const completedWithClaim = (agentId: string) => ({
    ...aClaimedItem(agentId, 'old'),
    status: 'completed' as const,
  });

  it('refuses a retiring agent before anything else about the agent, as a take-work check does', () => {
    expect(() => assertCanTakeWork(anAgent(retiring))).toThrow(AgentRetiringError);
    expect(() =>
      claimWork(aWorkItem({ requiredCapabilities: ['gpu'] }), anAgent(retiring), 't', workContext()),
    ).toThrow(AgentRetiringError);
    expect(() =>
      reassignWork(
        aClaimedItem('agent-b', 'x', { requiredCapabilities: ['gpu'] }),
        { agent: anAgent(retiring), token: 't' },
        workContext(),
      ),
    ).toThrow(AgentRetiringError);
  });

  it('answers not claimable for an ended item that keeps a claim, whoever held it', () => {
    expect(() => claimWork(completedWithClaim('agent-b'), anAgent(), 't', workContext())).toThrow(
      NotClaimableError,
    );
    expect(() => claimWork(completedWithClaim('agent-a'), anAgent(), 't', workContext())).toThrow(
      NotClaimableError,
    );
  });

  it('neither reassigns nor revokes the old claim of an ended item', () => {
    expect(() => reassignWork(completedWithClaim('agent-b'), undefined, workContext())).toThrow(
      /is completed; there is no claim to reassign/,
    );
    expect(revokeClaim(completedWithClaim('agent-b'), 'work.released', workContext())).toBeUndefined();
  });

  it('resets progress and counts the claim in the stats of a new holder, and says so in the assignment', () => {
    const held = aClaimedItem('agent-b', 'tok', { status: 'in_progress', progress: 40 });
    const target = anAgent({ id: 'agent-c', stats: { ...anAgent().stats, claims: 4 } });

    const { item, change } = reassignWork(held, { agent: target, token: 'tok-c' }, workContext());

    expect(item).toMatchObject({ status: 'claimed', progress: 0 });
    expect(change.writes[2]).toMatchObject({
      kind: 'agent',
      agent: { stats: { ...target.stats, claims: 5 } },
    });
    expect(change.events[1]?.after).toEqual({ workId: held.id, leaseExpiresAt: item.claim?.leaseExpiresAt });
  });
});

describe('retirement messages, team limits and freed slots', () => {
  const retiring = { retirement: { mode: 'drain' as const, requestedAt: NOW.toISOString() } };
  const retired = {
    retirement: { mode: 'drain' as const, requestedAt: NOW.toISOString(), retiredAt: NOW.toISOString() },
  };
  const attempts = (agent: ReturnType<typeof anAgent>): (() => unknown)[] => [
    () => assertCanTakeWork(agent),
    () => claimWork(aWorkItem(), agent, 't', workContext()),
    () => reassignWork(aClaimedItem('agent-b', 'x'), { agent, token: 't' }, workContext()),
  ];

  it('says a retiring agent is retiring, wherever it asks for work', () => {
    for (const attempt of attempts(anAgent(retiring))) {
      expect(attempt).toThrow('Agent agent-a is retiring and takes no new work.');
    }
  });

  it('says a retired agent is retired, wherever it asks for work', () => {
    for (const attempt of attempts(anAgent(retired))) {
      expect(attempt).toThrow('Agent agent-a is retired and takes no new work.');
    }
  });

  it('refuses a claim or an assignment to an agent limited to another team', () => {
    const limited = anAgent({ team: 'web', limitedToTeam: true });
    const refusal = expect.objectContaining({
      code: 'forbidden',
      message: 'Agent agent-a works in team web only, not in core.',
    });
    expect(() => claimWork(aWorkItem(), limited, 't', workContext())).toThrow(refusal);
    expect(() =>
      reassignWork(aClaimedItem('agent-b', 'x'), { agent: limited, token: 't' }, workContext()),
    ).toThrow(refusal);
  });

  it('frees a slot without a silentSince condition unless one is given', () => {
    expect(freeHolder('agent-a')).toStrictEqual({ kind: 'agentClaims', agentId: 'agent-a', delta: -1 });
    expect(freeHolder('agent-a', undefined, NOW.toISOString())).toStrictEqual({
      kind: 'agentClaims',
      agentId: 'agent-a',
      delta: -1,
      silentSince: NOW.toISOString(),
    });
  });
});
