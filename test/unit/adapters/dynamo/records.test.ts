import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  agentFromItem,
  agentToItem,
  eventFromStreamImage,
  eventToItem,
  workFromItem,
  workToItem,
} from '#adapters/dynamo/records';
import { EntityType } from '#core/model';
import { ActorType } from '#core/roles';
import { WorkStatus } from '#core/work/status';
import { anAgent, anEvent, aWorkItem, claimed } from '#test/support/builders';

const indexAttributes = (item: Record<string, unknown>): string[] =>
  Object.keys(item)
    .filter((name) => name.startsWith('gsi'))
    .sort();

describe('work records', () => {
  it('indexes a ready item for claiming and by status only', () => {
    expect(indexAttributes(workToItem(aWorkItem(), 4))).toEqual(['gsi1pk', 'gsi1sk', 'gsi3pk', 'gsi3sk']);
  });

  it.each([WorkStatus.Claimed, WorkStatus.InProgress])(
    'indexes a %s item by lease, holder and status',
    (status) => {
      const item = { ...claimed(aWorkItem(), 'agent-1'), status };

      expect(indexAttributes(workToItem(item, 4))).toEqual([
        'gsi2pk',
        'gsi2sk',
        'gsi3pk',
        'gsi3sk',
        'gsi4pk',
        'gsi4sk',
      ]);
    },
  );

  it.each([
    WorkStatus.Blocked,
    WorkStatus.Completed,
    WorkStatus.Failed,
    WorkStatus.Escalated,
    WorkStatus.Cancelled,
  ])('indexes a %s item by status only', (status) => {
    expect(indexAttributes(workToItem(aWorkItem({ status }), 4))).toEqual(['gsi3pk', 'gsi3sk']);
  });

  it('reads back exactly the item it stored', () => {
    const item = claimed(aWorkItem(), 'agent-1');

    expect(workFromItem(workToItem(item, 4))).toStrictEqual(item);
  });
});

describe('agent records', () => {
  it('keeps capacity minus claims beside the agent and drops it on reading', () => {
    const agent = anAgent({ capacity: 5, activeClaims: 2 });
    const stored = agentToItem(agent);

    expect(stored.freeCapacity).toBe(3);
    expect(agentFromItem(stored)).toStrictEqual(agent);
  });
});

describe('event records', () => {
  it('expires an event 400 days after it happened', () => {
    const stored = eventToItem(anEvent({ at: '2026-01-01T00:00:00.000Z' }));

    expect(stored.expiresAt).toBe(Date.UTC(2027, 1, 5) / 1000);
  });

  it('indexes an event under its subject agent, or the agent it records, and never otherwise', () => {
    const about = eventToItem(anEvent({ agentId: 'agent-1' }));
    const ofAgent = eventToItem(anEvent({ entityType: EntityType.Agent, entityId: 'agent-2' }));
    const plain = eventToItem(anEvent({ actor: { type: ActorType.Agent, id: 'agent-3' } }));

    expect(about.gsi2pk).toBe('AGENT#agent-1');
    expect(ofAgent.gsi2pk).toBe('AGENT#agent-2');
    expect(plain).not.toHaveProperty('gsi2pk');
    expect(plain.gsi3pk).toBe('ACTOR#agent-3');
  });

  it('reads an event from a stream image', () => {
    const event = anEvent({ before: { status: 'ready' }, after: { status: 'claimed' }, requestId: 'req-1' });

    expect(eventFromStreamImage(marshall(eventToItem(event)))).toStrictEqual(event);
  });
});
