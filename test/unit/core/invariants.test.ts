import { describe, expect, it } from 'vitest';
import { EscalationStatus } from '#core/escalations/escalation';
import {
  claimsViolation,
  escalationViolation,
  heldItemViolation,
  INVARIANT_DESCRIPTIONS,
  INVARIANT_NAMES,
  LEASE_GRACE_SECONDS,
  readyItemViolation,
  repairAgentClaims,
  repairReadyItem,
  repairUnclaimedHeldItem,
  silentAgentViolation,
} from '#core/invariants';
import { DEFAULT_SETTINGS } from '#core/settings';
import { aClaimedItem, anAgent, aWorkItem, changeContext, minutesFromNow, NOW } from './builders';

const secondsAgo = (seconds: number) => new Date(NOW.getTime() - seconds * 1000).toISOString();

/** A claimed item (held by `agentId`) whose lease ran out `seconds` ago. */
const lapsed = (seconds: number, agentId = 'agent-a') => {
  const item = aClaimedItem(agentId);
  const claim = item.claim ? { ...item.claim, leaseExpiresAt: secondsAgo(seconds) } : undefined;
  return { ...item, claim };
};

describe('invariant descriptions', () => {
  it('describes every invariant, each in its own words', () => {
    const descriptions = INVARIANT_NAMES.map((name) => INVARIANT_DESCRIPTIONS[name]);

    expect(Object.keys(INVARIANT_DESCRIPTIONS)).toEqual([...INVARIANT_NAMES]);
    for (const description of descriptions) expect(description).toMatch(/^[A-Z].{20,}\.$/);
    expect(new Set(descriptions).size).toBe(INVARIANT_NAMES.length);
  });
});

describe('heldItemViolation', () => {
  it('passes items that are not held, and held items with a live lease', () => {
    expect(heldItemViolation(aWorkItem(), NOW)).toBeUndefined();
    expect(heldItemViolation(aClaimedItem(), NOW)).toBeUndefined();
  });

  it('passes a lease that ran out within the grace period (the sweeper is bringing it back)', () => {
    expect(heldItemViolation(lapsed(LEASE_GRACE_SECONDS), NOW)).toBeUndefined();
  });

  it('flags a lease that ran out longer ago than the grace period, naming the holder', () => {
    expect(heldItemViolation(lapsed(LEASE_GRACE_SECONDS + 1, 'agent-b'), NOW)?.detail).toMatch(
      /^held by agent-b; its lease expired at /,
    );
  });

  it('flags a held item without a claim', () => {
    const item = { ...aClaimedItem(), claim: undefined };
    expect(heldItemViolation(item, NOW)).toEqual({ entityId: item.id, detail: 'claimed without a claim' });
  });
});

describe('claimsViolation', () => {
  it('passes an agent whose count matches, and flags one whose count differs', () => {
    const agent = anAgent({ activeClaims: 1 });
    expect(claimsViolation(agent, 1)).toBeUndefined();
    expect(claimsViolation(agent, 0)).toEqual({
      entityId: agent.id,
      detail: 'activeClaims is 1, but it holds 0',
    });
  });
});

describe('readyItemViolation', () => {
  const dependency = aWorkItem({ id: 'wi_dep', status: 'in_progress' });

  it('passes items that are not ready, ready items without dependencies, and those whose dependencies completed', () => {
    expect(
      readyItemViolation(aWorkItem({ status: 'blocked', dependsOn: ['wi_dep'] }), [dependency]),
    ).toBeUndefined();
    expect(readyItemViolation(aWorkItem(), [])).toBeUndefined();
    const done = { ...dependency, status: 'completed' as const };
    expect(readyItemViolation(aWorkItem({ dependsOn: ['wi_dep'] }), [done])).toBeUndefined();
  });

  it('flags a ready item waiting on an open or unknown dependency, naming each', () => {
    const item = aWorkItem({ dependsOn: ['wi_dep', 'wi_gone'] });
    expect(readyItemViolation(item, [dependency])?.detail).toBe('ready while waiting on wi_dep, wi_gone');
  });

  it('judges each dependency by its own record, whatever order they are read in', () => {
    const done = aWorkItem({ id: 'wi_done', status: 'completed' });
    const item = aWorkItem({ dependsOn: ['wi_done', 'wi_dep'] });

    expect(readyItemViolation(item, [done, dependency])?.detail).toBe('ready while waiting on wi_dep');
    expect(readyItemViolation(item, [dependency, done])?.detail).toBe('ready while waiting on wi_dep');
  });
});

describe('escalationViolation', () => {
  const escalation = {
    id: 'wi_1~deadline~1',
    workId: 'wi_1',
    team: 'core',
    kind: 'deadline' as const,
    number: 1,
    status: EscalationStatus.Open,
    openedAt: NOW.toISOString(),
    details: {},
    version: 1,
  };

  it('flags an open escalation of a completed or cancelled item', () => {
    for (const status of ['completed', 'cancelled'] as const) {
      expect(escalationViolation(escalation, aWorkItem({ id: 'wi_1', status }))?.detail).toBe(
        `open, but wi_1 is ${status}`,
      );
    }
  });

  it('passes resolved escalations, open ones of open items, and those whose item is gone', () => {
    const done = aWorkItem({ id: 'wi_1', status: 'completed' });
    expect(escalationViolation({ ...escalation, status: EscalationStatus.Resolved }, done)).toBeUndefined();
    expect(escalationViolation(escalation, aWorkItem({ id: 'wi_1', status: 'escalated' }))).toBeUndefined();
    expect(escalationViolation(escalation, undefined)).toBeUndefined();
  });
});

describe('silentAgentViolation', () => {
  const timeout = 30 * DEFAULT_SETTINGS.heartbeatTimeoutMultiple;

  it('passes an agent that heartbeats, and one silent for less than its timeout and the grace period', () => {
    expect(silentAgentViolation(anAgent(), NOW, DEFAULT_SETTINGS)).toBeUndefined();
    const quiet = anAgent({ lastHeartbeatAt: secondsAgo(timeout + LEASE_GRACE_SECONDS - 1) });
    expect(silentAgentViolation(quiet, NOW, DEFAULT_SETTINGS)).toBeUndefined();
  });

  it('flags an agent silent for its timeout and the grace period, never announced offline', () => {
    const silent = anAgent({ lastHeartbeatAt: secondsAgo(timeout + LEASE_GRACE_SECONDS) });
    expect(silentAgentViolation(silent, NOW, DEFAULT_SETTINGS)?.detail).toMatch(
      /^silent since .*, never announced offline$/,
    );
  });

  it('passes a retiring or retired agent, however long silent', () => {
    const lastHeartbeatAt = minutesFromNow(-60);
    const retirement = { mode: 'drain' as const, requestedAt: minutesFromNow(-61) };
    const retiring = anAgent({ lastHeartbeatAt, activeClaims: 1, retirement });
    const retired = anAgent({ lastHeartbeatAt, retirement });

    expect(silentAgentViolation(retiring, NOW, DEFAULT_SETTINGS)).toBeUndefined();
    expect(silentAgentViolation(retired, NOW, DEFAULT_SETTINGS)).toBeUndefined();
  });

  it('passes a silent agent that was announced offline after its last heartbeat', () => {
    const announced = anAgent({ lastHeartbeatAt: minutesFromNow(-60), offlineSince: minutesFromNow(-55) });
    expect(silentAgentViolation(announced, NOW, DEFAULT_SETTINGS)).toBeUndefined();
  });
});

describe('repairs', () => {
  it('sets activeClaims to the count at the next version, with an invariant.repaired event', () => {
    const agent = anAgent({ activeClaims: 2, version: 4 });
    const repair = repairAgentClaims(agent, 1, changeContext());
    expect(repair?.next).toMatchObject({ activeClaims: 1, version: 5, updatedAt: NOW.toISOString() });
    expect(repair?.change.writes).toEqual([{ kind: 'agent', agent: repair?.next, expectedVersion: 4 }]);
    expect(repair?.change.events).toEqual([
      expect.objectContaining({
        action: 'invariant.repaired',
        entityType: 'agent',
        entityId: agent.id,
        seq: 5,
        before: { activeClaims: 2 },
        after: { activeClaims: 1, invariant: 'agent_claims_match' },
      }),
    ]);
    expect(repairAgentClaims(agent, 2, changeContext())).toBeUndefined();
  });

  it('blocks a ready item with an open dependency, and leaves a sound one alone', () => {
    const item = aWorkItem({ dependsOn: ['wi_dep'], version: 3 });
    const repair = repairReadyItem(item, [aWorkItem({ id: 'wi_dep', status: 'ready' })], changeContext());
    expect(repair?.next).toMatchObject({ status: 'blocked', version: 4 });
    expect(repair?.change.writes).toEqual([{ kind: 'work', item: repair?.next, expectedVersion: 3 }]);
    expect(repair?.change.events[0]).toMatchObject({
      entityType: 'work',
      entityId: item.id,
      seq: 4,
      team: item.team,
      before: { status: 'ready' },
      after: { status: 'blocked' },
    });
    expect(repairReadyItem(aWorkItem(), [], changeContext())).toBeUndefined();
  });

  it('sends a held item without a claim back to ready, and leaves a claimed one to lease expiry', () => {
    const item = { ...aClaimedItem(), claim: undefined };
    const repair = repairUnclaimedHeldItem(item, changeContext());
    expect(repair?.next).toMatchObject({ status: 'ready', version: item.version + 1 });
    expect(repair?.change.events[0]).toMatchObject({
      after: { status: 'ready', invariant: 'held_items_leased' },
    });
    expect(repairUnclaimedHeldItem(aClaimedItem(), changeContext())).toBeUndefined();
    expect(repairUnclaimedHeldItem(aWorkItem(), changeContext())).toBeUndefined();
  });
});
