import { describe, expect, it } from 'vitest';
import {
  actorOf,
  agentIdOf,
  assertActsAs,
  assertCanCancel,
  assertCanReadAgent,
  assertCanRegister,
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
});

describe('assertCanRegister', () => {
  it('limits a team registration token to its team', () => {
    const teamKey: Principal = { role: 'registration', id: 'tok-r', team: 'core' };
    expect(() => assertCanRegister(teamKey, 'core')).not.toThrow();
    expect(() => assertCanRegister(teamKey, 'web')).toThrow(ForbiddenError);
    expect(() => assertCanRegister({ role: 'registration', id: 'registration' }, 'web')).not.toThrow();
    expect(() => assertCanRegister(admin, 'web')).not.toThrow();
  });
});

describe('actorOf and agentIdOf', () => {
  it('derive the audit actor and the acting agent', () => {
    expect(actorOf(agentA)).toEqual({ type: 'agent', id: 'a-1' });
    expect(agentIdOf(agentA)).toBe('a-1');
    expect(agentIdOf(admin)).toBeUndefined();
  });
});
