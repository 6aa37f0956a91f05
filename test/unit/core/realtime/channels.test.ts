import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { channelName, implicitChannels, mayJoin, parseChannel } from '#core/realtime/channels';
import type { Principal } from '#core/roles';

const admin: Principal = { role: 'admin', id: 'admin' };
const viewer: Principal = { role: 'viewer', id: 'tok_v' };
const agent: Principal = { role: 'agent', id: 'builder-1', agentId: 'builder-1' };
const registration: Principal = { role: 'registration', id: 'registration' };

describe('parseChannel', () => {
  it('reads every channel kind a client may name', () => {
    expect(parseChannel('team:platform')).toEqual({ kind: 'team', team: 'platform' });
    expect(parseChannel('agent:builder-1')).toEqual({ kind: 'agent', agentId: 'builder-1' });
    expect(parseChannel('work:wi_01J')).toEqual({ kind: 'work', workId: 'wi_01J' });
    expect(parseChannel('all')).toEqual({ kind: 'all' });
    expect(parseChannel('admin')).toEqual({ kind: 'admin' });
  });

  it('refuses unknown kinds, empty names, the server-only inbox and names with separators', () => {
    for (const text of [
      '',
      'team:',
      'inbox:builder-1',
      'room:x',
      'team:a#b',
      'team:a b',
      ':x',
      'ALL',
      'teamx',
      'workwi_1',
    ]) {
      expect(parseChannel(text)).toBeUndefined();
    }
  });

  it('gives back the same name for every channel it accepts', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 220 }), (text) => {
        const channel = parseChannel(text);
        if (channel !== undefined) expect(channelName(channel)).toBe(text);
      }),
    );
  });
});

describe('mayJoin', () => {
  it('lets admins join everything and viewers everything but admin', () => {
    expect(mayJoin(admin, { kind: 'admin' })).toBe(true);
    expect(mayJoin(viewer, { kind: 'all' })).toBe(true);
    expect(mayJoin(viewer, { kind: 'team', team: 'x' })).toBe(true);
    expect(mayJoin(viewer, { kind: 'admin' })).toBe(false);
  });

  it('lets an agent join only itself, its team and items of its team', () => {
    const facts = { agentTeam: 'platform' };
    expect(mayJoin(agent, { kind: 'agent', agentId: 'builder-1' }, facts)).toBe(true);
    expect(mayJoin(agent, { kind: 'agent', agentId: 'builder-2' }, facts)).toBe(false);
    expect(mayJoin(agent, { kind: 'team', team: 'platform' }, facts)).toBe(true);
    expect(mayJoin(agent, { kind: 'team', team: 'other' }, facts)).toBe(false);
    expect(mayJoin(agent, { kind: 'work', workId: 'wi_1' }, { ...facts, workTeam: 'platform' })).toBe(true);
    expect(mayJoin(agent, { kind: 'work', workId: 'wi_1' }, { ...facts, workTeam: 'other' })).toBe(false);
    expect(mayJoin(agent, { kind: 'work', workId: 'wi_1' }, facts)).toBe(false);
    expect(mayJoin(agent, { kind: 'all' }, facts)).toBe(false);
    expect(mayJoin(agent, { kind: 'admin' }, facts)).toBe(false);
  });

  it('lets an agent whose team is unknown join no work item, not even one that does not exist', () => {
    expect(mayJoin(agent, { kind: 'work', workId: 'wi_gone' }, {})).toBe(false);
    expect(mayJoin(agent, { kind: 'team', team: 'platform' }, {})).toBe(false);
  });

  it('opens no other channel to an agent because of a work item of its team', () => {
    const facts = { agentTeam: 'platform', workTeam: 'platform' };

    expect(mayJoin(agent, { kind: 'all' }, facts)).toBe(false);
    expect(mayJoin(agent, { kind: 'admin' }, facts)).toBe(false);
  });

  it('never lets anyone subscribe to an inbox, and registration keys join nothing', () => {
    expect(mayJoin(admin, { kind: 'inbox', agentId: 'builder-1' })).toBe(false);
    expect(mayJoin(agent, { kind: 'inbox', agentId: 'builder-1' }, { agentTeam: 'platform' })).toBe(false);
    expect(mayJoin(registration, { kind: 'all' })).toBe(false);
  });

  it('gives an agent connection its own inbox, and other connections none', () => {
    expect(implicitChannels(agent)).toEqual([{ kind: 'inbox', agentId: 'builder-1' }]);
    expect(implicitChannels(viewer)).toEqual([]);
    expect(implicitChannels({ ...viewer, agentId: 'builder-1' })).toEqual([]);
    expect(implicitChannels({ role: 'agent', id: 'builder-1' })).toEqual([]);
  });
});
