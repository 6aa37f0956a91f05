import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assignmentTarget,
  MAX_MESSAGE_BYTES,
  messageTypeOf,
  observerDelivery,
  serialize,
  withoutTokens,
} from '#app/live-messages';
import { Action } from '#core/events';
import { EntityType } from '#core/model';
import { channelNames } from '#core/realtime/messages';
import { ActorType } from '#core/roles';
import { anEvent } from '#test/support/builders';

describe('messageTypeOf', () => {
  it('keeps the action as the type for every live message type', () => {
    for (const action of [
      Action.WorkClaimed,
      Action.WorkCompleted,
      Action.AgentRegistered,
      Action.Escalation,
    ]) {
      expect(messageTypeOf(action)).toBe(action);
    }
  });

  it('reports a retirement as an agent status change', () => {
    expect(messageTypeOf(Action.AgentRetired)).toBe('agent.status');
  });

  it('tells observers nothing of assignments, tokens, config or imports', () => {
    for (const action of [
      Action.Assignment,
      Action.TokenIssued,
      Action.AgentTokenIssued,
      Action.ConfigUpdated,
      Action.WorkImported,
      Action.WorkDependentAdded,
    ]) {
      expect(messageTypeOf(action)).toBeUndefined();
    }
  });
});

describe('observerDelivery', () => {
  it('sends a claim to the team, the item and all, with the event seq and time', () => {
    const event = anEvent({
      action: Action.WorkClaimed,
      entityId: 'wi_1',
      seq: 2,
      team: 'core',
      agentId: 'builder-1',
      actor: { type: ActorType.Agent, id: 'builder-1' },
      before: { status: 'ready' },
      after: {
        status: 'claimed',
        claim: { agentId: 'builder-1', leaseExpiresAt: '2026-03-02T09:05:00.000Z' },
      },
    });

    const delivery = observerDelivery(event);

    expect(delivery?.message).toMatchObject({ type: 'work.claimed', seq: 2, at: event.at });
    expect(delivery?.message.data).toMatchObject({ entityId: 'wi_1', team: 'core', agentId: 'builder-1' });
    expect(channelNames(delivery?.channels ?? [])).toEqual(['team:core', 'work:wi_1', 'all']);
  });

  it('sends agent news to the team, the agent and all', () => {
    const event = anEvent({
      action: Action.AgentStatus,
      entityType: EntityType.Agent,
      entityId: 'builder-1',
      team: 'core',
    });

    expect(channelNames(observerDelivery(event)?.channels ?? [])).toEqual([
      'team:core',
      'agent:builder-1',
      'all',
    ]);
  });

  it('sends escalations and their resolution to the team, admin and all', () => {
    for (const action of [Action.Escalation, Action.EscalationResolved]) {
      const event = anEvent({ action, entityType: EntityType.Escalation, entityId: 'esc_1', team: 'core' });
      expect(channelNames(observerDelivery(event)?.channels ?? [])).toEqual(['team:core', 'admin', 'all']);
    }
  });

  it('sends a thread message to the item, the team and the mentioned agents own connections', () => {
    const message = {
      id: 'msg_01',
      at: '2026-03-02T09:00:00.000Z',
      from: { type: 'member', id: 'tok_1' },
      body: 'Which branch?',
      mentions: ['builder-1'],
      workId: 'wi_1',
    };
    const event = anEvent({
      action: Action.Message,
      entityType: EntityType.Message,
      entityId: 'msg_01',
      seq: 1,
      team: 'core',
      after: { ...message, recipients: ['builder-1'] },
    });

    const delivery = observerDelivery(event);

    expect(delivery?.message).toMatchObject({ type: 'message', seq: 1, at: event.at, data: message });
    expect(delivery?.message.cursor).toEqual(expect.any(String));
    expect(channelNames(delivery?.channels ?? [])).toEqual(['work:wi_1', 'team:core', 'inbox:builder-1']);
  });

  it('sends a direct message only to the addressed and mentioned agents, never to the team', () => {
    const event = anEvent({
      action: Action.Message,
      entityType: EntityType.Message,
      entityId: 'msg_02',
      team: 'core',
      agentId: 'reviewer-1',
      after: { id: 'msg_02', body: 'psst', to: 'reviewer-1', recipients: ['reviewer-1', 'builder-1'] },
    });

    const delivery = observerDelivery(event);

    expect(channelNames(delivery?.channels ?? [])).toEqual(['inbox:reviewer-1', 'inbox:builder-1']);
    expect(delivery?.message.data).not.toHaveProperty('recipients');
  });

  it('never carries a claim token, wherever one hides in the event', () => {
    const event = anEvent({
      action: Action.WorkClaimed,
      after: { claim: { agentId: 'a', token: 'secret-token' }, nested: [{ token: 'secret-2' }] },
    });

    const text = JSON.stringify(observerDelivery(event)?.message);

    expect(text).not.toContain('secret');
    expect(text).toContain('"agentId":"a"');
  });
});

describe('withoutTokens', () => {
  it('leaves no token field at any depth', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(
          JSON.stringify(withoutTokens({ token: 'x', value, inner: { token: 'y', value } })),
        ).not.toMatch(/"token":/);
      }),
    );
  });
});

describe('assignmentTarget', () => {
  it('names the assigned agent and the item of an assignment event', () => {
    const event = anEvent({
      action: Action.Assignment,
      entityType: EntityType.Agent,
      entityId: 'builder-1',
      after: { workId: 'wi_1', leaseExpiresAt: '2026-03-02T09:05:00.000Z' },
    });

    expect(assignmentTarget(event)).toEqual({ agentId: 'builder-1', workId: 'wi_1' });
    expect(assignmentTarget(anEvent({ action: Action.WorkClaimed }))).toBeUndefined();
  });
});

describe('serialize', () => {
  it('sends a message as it is while it fits in 128 KB', () => {
    const message = { type: 'work.created', seq: 1, at: 'now', data: { after: { title: 'x' } } } as const;

    expect(JSON.parse(serialize(message))).toEqual(message);
  });

  it('drops the snapshots of a larger message and says it was truncated, never splitting it', () => {
    const message = {
      type: 'work.completed',
      seq: 3,
      at: 'now',
      data: {
        entityId: 'wi_1',
        after: { result: 'x'.repeat(MAX_MESSAGE_BYTES) },
        before: { status: 'claimed' },
      },
    } as const;

    const text = serialize(message);

    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(JSON.parse(text)).toEqual({
      type: 'work.completed',
      seq: 3,
      at: 'now',
      data: { entityId: 'wi_1', truncated: true },
    });
  });
});
