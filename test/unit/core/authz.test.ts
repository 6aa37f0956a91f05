import { describe, expect, it } from 'vitest';
import {
  actorOf,
  agentIdOf,
  assertActsAs,
  assertCanCancel,
  assertCanReadAgent,
  assertCanRegister,
  assertWorksIn,
  SYSTEM_ACTOR,
  teamLimitOf,
} from '#core/authz';
import { ForbiddenError } from '#core/errors';
import type { Principal } from '#core/roles';
import { aWorkItem } from './builders';

const agentA: Principal = { role: 'agent', id: 'a-1', agentId: 'a-1' };
const admin: Principal = { role: 'admin', id: 'admin' };
const viewer: Principal = { role: 'viewer', id: 'tok-v' };

describe('assertActsAs', () => {
  it('lets an agent act as itself and forbids naming another agent', () => {
    expect(() => assertActsAs(agentA, 'a-1')).not.toThrow();
    expect(() => assertActsAs(agentA, 'a-2')).toThrow(ForbiddenError);
    expect(() => assertActsAs(agentA, 'a-2')).toThrow(
      'An agent token may act only as its own agent, not as a-2.',
    );
  });

  it('lets admins act for any agent', () => {
    expect(() => assertActsAs(admin, 'a-2')).not.toThrow();
  });
});

describe('assertCanReadAgent', () => {
  it('lets viewers read any agent and agents only themselves', () => {
    expect(() => assertCanReadAgent(viewer, 'a-2')).not.toThrow();
    expect(() => assertCanReadAgent(agentA, 'a-2')).toThrow(ForbiddenError);
  });
});

describe('assertCanCancel', () => {
  it('lets an admin cancel anything and an agent only what it created', () => {
    const byA = aWorkItem({ createdBy: { type: 'agent', id: 'a-1' } });
    const byAdmin = aWorkItem({ createdBy: { type: 'admin', id: 'admin' } });
    expect(() => assertCanCancel(admin, byA)).not.toThrow();
    expect(() => assertCanCancel(agentA, byA)).not.toThrow();
    expect(() => assertCanCancel(agentA, byAdmin)).toThrow(ForbiddenError);
    expect(() => assertCanCancel({ role: 'agent', id: 'a-2', agentId: 'a-2' }, byA)).toThrow(ForbiddenError);
  });

  it('names the item it refuses to cancel', () => {
    const byAdmin = aWorkItem({ id: 'w-7', createdBy: { type: 'admin', id: 'admin' } });

    expect(() => assertCanCancel(agentA, byAdmin)).toThrow(
      'Only an admin or the creator may cancel work item w-7.',
    );
  });

  it('forbids a viewer whose token id is the id of the creating agent', () => {
    const byA = aWorkItem({ createdBy: { type: 'agent', id: 'a-1' } });

    expect(() => assertCanCancel({ role: 'viewer', id: 'a-1' }, byA)).toThrow(ForbiddenError);
  });

  it('forbids an agent an item created by another kind of actor under the same id', () => {
    const byTokenA1 = aWorkItem({ createdBy: { type: 'admin', id: 'a-1' } });

    expect(() => assertCanCancel(agentA, byTokenA1)).toThrow(ForbiddenError);
  });

  it('matches the creator by the agent the token belongs to, not by the token id', () => {
    const byA = aWorkItem({ createdBy: { type: 'agent', id: 'a-1' } });
    const tokenOfA: Principal = { role: 'agent', id: 'tok-9', agentId: 'a-1' };
    const tokenOfB: Principal = { role: 'agent', id: 'a-1', agentId: 'a-2' };

    expect(() => assertCanCancel(tokenOfA, byA)).not.toThrow();
    expect(() => assertCanCancel(tokenOfB, byA)).toThrow(ForbiddenError);
  });
});

describe('assertCanRegister', () => {
  it('limits a team registration token to its team', () => {
    const teamKey: Principal = { role: 'registration', id: 'tok-r', team: 'core' };
    expect(() => assertCanRegister(teamKey, 'core')).not.toThrow();
    expect(() => assertCanRegister(teamKey, 'web')).toThrow(ForbiddenError);
    expect(() => assertCanRegister({ role: 'registration', id: 'registration' }, 'web')).not.toThrow();
    expect(() => assertCanRegister(admin, 'web')).not.toThrow();
  });

  it('names the team the token is limited to', () => {
    const teamKey: Principal = { role: 'registration', id: 'tok-r', team: 'core' };

    expect(() => assertCanRegister(teamKey, 'web')).toThrow('This token registers agents of team core only.');
  });

  it('lets an admin register in any team even with a team on its principal', () => {
    expect(() => assertCanRegister({ role: 'admin', id: 'admin', team: 'core' }, 'web')).not.toThrow();
  });
});

describe('assertWorksIn', () => {
  it('lets an unlimited agent work in any team', () => {
    expect(() => assertWorksIn(undefined, 'web', 'a-1')).not.toThrow();
  });

  it('lets a limited agent work in its own team', () => {
    expect(() => assertWorksIn('core', 'core', 'a-1')).not.toThrow();
  });

  it('forbids a limited agent another team, naming both and its own team in the details', () => {
    let error: unknown;
    try {
      assertWorksIn('core', 'web', 'a-1');
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(ForbiddenError);
    expect((error as ForbiddenError).message).toBe('Agent a-1 works in team core only, not in web.');
    expect((error as ForbiddenError).details).toStrictEqual({ team: 'core' });
  });
});

describe('teamLimitOf', () => {
  it('is the team of a limited agent and nothing for others', () => {
    expect(teamLimitOf({ team: 'core', limitedToTeam: true })).toBe('core');
    expect(teamLimitOf({ team: 'core' })).toBeUndefined();
  });
});

describe('actorOf and agentIdOf', () => {
  it('derive the audit actor and the acting agent', () => {
    expect(actorOf(agentA)).toEqual({ type: 'agent', id: 'a-1' });
    expect(agentIdOf(agentA)).toBe('a-1');
    expect(agentIdOf(admin)).toBeUndefined();
    expect(agentIdOf({ role: 'agent', id: 'tok-9', agentId: 'a-1' })).toBe('a-1');
    expect(agentIdOf({ role: 'agent', id: 'a-1' })).toBe('a-1');
    expect(agentIdOf(viewer)).toBeUndefined();
  });

  it('name the system as the actor of the sweeper and queue consumers', () => {
    expect(SYSTEM_ACTOR).toStrictEqual({ type: 'system', id: 'system' });
  });
});
