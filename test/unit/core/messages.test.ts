import { describe, expect, it } from 'vitest';
import { ForbiddenError, ValidationError } from '#core/errors';
import {
  assertBodySize,
  assertMayPost,
  assertMayReadThread,
  assertMentions,
  distinctMentions,
  MAX_MESSAGE_BODY_BYTES,
  recipientsOf,
} from '#core/messages';
import { type Principal, Role, rolesAdmittedBy } from '#core/roles';

const admin: Principal = { role: Role.Admin, id: 'admin' };
const agent: Principal = { role: Role.Agent, id: 'builder-1', agentId: 'builder-1' };
const member = (team?: string): Principal =>
  team === undefined ? { role: Role.Member, id: 'tok_m' } : { role: Role.Member, id: 'tok_m', team };
const viewer: Principal = { role: Role.Viewer, id: 'tok_v' };

/** The message and details of the error `act` throws. */
const caught = (act: () => void): { message: string; details: unknown } => {
  try {
    act();
  } catch (error) {
    if (error instanceof ForbiddenError || error instanceof ValidationError) {
      return { message: error.message, details: error.details };
    }
    throw error;
  }
  throw new Error('nothing was thrown');
};

describe('rolesAdmittedBy', () => {
  it('admits members wherever viewers are admitted, and nowhere else', () => {
    expect(rolesAdmittedBy([Role.Admin, Role.Viewer])).toEqual([Role.Admin, Role.Viewer, Role.Member]);
    expect(rolesAdmittedBy([Role.Admin, Role.Agent])).toEqual([Role.Admin, Role.Agent]);
    expect(rolesAdmittedBy([Role.Viewer, Role.Member])).toEqual([Role.Viewer, Role.Member]);
  });
});

describe('assertMayPost', () => {
  it('lets admins post anywhere, members in their team or any without one, agents in their own team', () => {
    expect(() => assertMayPost(admin, { team: 'core' })).not.toThrow();
    expect(() => assertMayPost(member('core'), { team: 'core' })).not.toThrow();
    expect(() => assertMayPost(member(), { team: 'web' })).not.toThrow();
    expect(() => assertMayPost(agent, { team: 'core', agentTeam: 'core' })).not.toThrow();
  });

  it('throws ForbiddenError for other teams, agents that are gone and viewers', () => {
    expect(() => assertMayPost(member('core'), { team: 'web' })).toThrow(ForbiddenError);
    expect(() => assertMayPost(agent, { team: 'web', agentTeam: 'core' })).toThrow(ForbiddenError);
    expect(() => assertMayPost(agent, { team: 'core' })).toThrow(ForbiddenError);
    expect(() => assertMayPost(viewer, { team: 'core' })).toThrow(ForbiddenError);
  });

  it('lets only an agent post by its own team, whatever team facts another role comes with', () => {
    expect(() => assertMayPost(viewer, { team: 'core', agentTeam: 'core' })).toThrow(ForbiddenError);
    expect(() =>
      assertMayPost({ role: Role.Registration, id: 'tok_r' }, { team: 'core', agentTeam: 'core' }),
    ).toThrow(ForbiddenError);
  });

  it('names the team in the refusal and its details', () => {
    expect(caught(() => assertMayPost(agent, { team: 'web', agentTeam: 'core' }))).toStrictEqual({
      message: 'This token may not post messages in team web.',
      details: { team: 'web' },
    });
  });
});

describe('assertMayReadThread', () => {
  it('refuses agents of another team only', () => {
    expect(() => assertMayReadThread(agent, { team: 'web', agentTeam: 'core' })).toThrow(ForbiddenError);
    expect(() => assertMayReadThread(agent, { team: 'core', agentTeam: 'core' })).not.toThrow();
    expect(() => assertMayReadThread(viewer, { team: 'web' })).not.toThrow();
    expect(() => assertMayReadThread(member('core'), { team: 'web' })).not.toThrow();
  });

  it('names the team in the refusal and its details', () => {
    expect(caught(() => assertMayReadThread(agent, { team: 'web', agentTeam: 'core' }))).toStrictEqual({
      message: 'Agents read the threads of their own team only, not of web.',
      details: { team: 'web' },
    });
  });
});

describe('assertBodySize', () => {
  it('counts UTF-8 bytes, not characters', () => {
    expect(() => assertBodySize('a'.repeat(MAX_MESSAGE_BODY_BYTES))).not.toThrow();
    expect(() => assertBodySize('a'.repeat(MAX_MESSAGE_BODY_BYTES + 1))).toThrow(ValidationError);
    expect(() => assertBodySize('€'.repeat(2731))).toThrow(ValidationError);
    expect(() => assertBodySize('€'.repeat(2730))).not.toThrow();
  });

  it('refuses on /body, saying the limit and the size it got', () => {
    expect(caught(() => assertBodySize('€'.repeat(2731)))).toStrictEqual({
      message: 'The request is not valid.',
      details: { errors: [{ path: '/body', message: 'must be at most 8192 bytes of UTF-8 (got 8193)' }] },
    });
  });
});

describe('mentions and recipients', () => {
  it('names each mention once, in the order first named', () => {
    expect(distinctMentions(['b', 'a', 'b'])).toEqual(['b', 'a']);
    expect(distinctMentions(undefined)).toEqual([]);
  });

  it('delivers to the addressed agent first, then each mentioned one once', () => {
    expect(recipientsOf({ to: 'a', mentions: ['b', 'a', 'c'] })).toEqual(['a', 'b', 'c']);
    expect(recipientsOf({ mentions: ['b'] })).toEqual(['b']);
  });

  it('reports each mention of no agent or of another team at its index', () => {
    const found = new Map([
      ['a', 'core'],
      ['w', 'web'],
    ]);

    expect(() => assertMentions(['a'], found, 'core')).not.toThrow();
    try {
      assertMentions(['a', 'ghost', 'w'], found, 'core');
      expect.unreachable('mentions of no agent and of another team pass');
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).details).toStrictEqual({
        errors: [
          { path: '/mentions/1', message: 'no agent ghost' },
          { path: '/mentions/2', message: 'agent w is not in team core' },
        ],
      });
    }
  });
});
