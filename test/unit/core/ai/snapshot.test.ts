import { describe, expect, it } from 'vitest';
import { type AgentFacts, type Snapshot, teamOfSubject } from '#core/ai/snapshot';
import { anAgent, aWorkItem, NOW } from '../builders';

const active = (id: string, team: string): AgentFacts => ({
  agent: anAgent({ id, team }),
  status: 'active',
  health: { score: 100, reasons: [] },
});

/** Agents of core and web, work of core and ops. */
const snapshot: Snapshot = {
  now: NOW,
  agents: [active('a1', 'core'), active('a2', 'web')],
  work: [aWorkItem({ id: 'w1', team: 'core' }), aWorkItem({ id: 'w2', team: 'ops' })],
  escalations: [],
  truncated: false,
};

describe('the team of a finding’s subject', () => {
  it('is the team named, if it has agents or work', () => {
    expect(teamOfSubject(snapshot, 'team:web')).toBe('web');
    expect(teamOfSubject(snapshot, 'team:ops')).toBe('ops');
    expect(teamOfSubject(snapshot, 'team:core')).toBe('core');
    expect(teamOfSubject(snapshot, 'team:nobody')).toBeUndefined();
  });

  it('is the team of the agent or the work item named', () => {
    expect(teamOfSubject(snapshot, 'agent:a2')).toBe('web');
    expect(teamOfSubject(snapshot, 'work:w2')).toBe('ops');
    expect(teamOfSubject(snapshot, 'agent:gone')).toBeUndefined();
    expect(teamOfSubject(snapshot, 'work:gone')).toBeUndefined();
  });

  it('is unknown for another kind of subject, or one without a kind', () => {
    expect(teamOfSubject(snapshot, 'finding:w1')).toBeUndefined();
    expect(teamOfSubject(snapshot, 'escalation:a1')).toBeUndefined();
    expect(teamOfSubject(snapshot, 'web')).toBeUndefined();
  });

  it('reads the id after the first colon', () => {
    const odd: Snapshot = { ...snapshot, agents: [active('x:y', 'core')] };

    expect(teamOfSubject(odd, 'agent:x:y')).toBe('core');
  });
});
