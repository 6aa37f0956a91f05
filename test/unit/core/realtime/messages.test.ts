import { describe, expect, it } from 'vitest';
import { channelName } from '#core/realtime/channels';
import { channelNames, channelsOf } from '#core/realtime/messages';

describe('channelsOf', () => {
  const subject = { team: 'platform', workId: 'wi_1', agentId: 'builder-1' };

  it('sends work events to the team, the item and all', () => {
    expect(channelsOf('work.claimed', subject).map(channelName)).toEqual([
      'team:platform',
      'work:wi_1',
      'all',
    ]);
  });

  it('sends agent events to the team, the agent and all', () => {
    expect(channelsOf('agent.status', subject).map(channelName)).toEqual([
      'team:platform',
      'agent:builder-1',
      'all',
    ]);
  });

  it('sends escalations to the team, admin and all, and metrics to all', () => {
    expect(channelsOf('escalation.resolved', subject).map(channelName)).toEqual([
      'team:platform',
      'admin',
      'all',
    ]);
    expect(channelsOf('metrics', {}).map(channelName)).toEqual(['all']);
  });

  it('sends metrics only to all, whatever subject they come with', () => {
    expect(channelNames(channelsOf('metrics', subject))).toEqual(['all']);
  });

  it('leaves out the team, the item and the agent a subject does not name', () => {
    expect(channelNames(channelsOf('work.claimed', { workId: 'wi_1' }))).toEqual(['work:wi_1', 'all']);
    expect(channelNames(channelsOf('work.claimed', { team: 'platform' }))).toEqual(['team:platform', 'all']);
    expect(channelNames(channelsOf('agent.status', { team: 'platform' }))).toEqual(['team:platform', 'all']);
    expect(channelNames(channelsOf('agent.status', {}))).toEqual(['all']);
    expect(channelNames(channelsOf('escalation', {}))).toEqual(['admin', 'all']);
  });

  it('sends an assignment only to the assigned agent inbox', () => {
    expect(channelsOf('assignment', subject).map(channelName)).toEqual(['inbox:builder-1']);
    expect(channelsOf('assignment', { team: 'platform' })).toEqual([]);
  });

  it('sends a thread message to the item, the team and each recipient inbox', () => {
    expect(
      channelNames(channelsOf('message', { ...subject, recipients: ['builder-2', 'builder-3'] })),
    ).toEqual(['work:wi_1', 'team:platform', 'inbox:builder-2', 'inbox:builder-3']);
    expect(channelNames(channelsOf('message', subject))).toEqual(['work:wi_1', 'team:platform']);
  });

  it('sends a direct message only to the recipient inboxes', () => {
    expect(channelNames(channelsOf('message', { team: 'platform', recipients: ['builder-2'] }))).toEqual([
      'inbox:builder-2',
    ]);
    expect(channelsOf('message', { team: 'platform' })).toEqual([]);
  });
});
