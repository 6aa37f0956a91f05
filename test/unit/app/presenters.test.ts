import type { TSchema } from '@sinclair/typebox';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { presentAgent, presentClaim, presentEvent, presentWork } from '#app/presenters';
import { AgentViewSchema, AuditEventView, ClaimView, SettingsView, WorkView } from '#app/schemas/views';
import { DEFAULT_SETTINGS } from '#core/settings';
import { aClaimedItem, anAgent, aWorkItem, minutesFromNow, NOW } from '../core/builders';

const ajv = addFormats(new Ajv({ allErrors: true, strict: true, strictTypes: false }));
const conforms = (schema: TSchema, value: unknown) => {
  const validate = ajv.compile(schema);
  return validate(value) ? [] : validate.errors;
};

describe('presentWork', () => {
  it('shows the item with urgency computed now, blockedBy, and the claim without its token', () => {
    const item = aClaimedItem('agent-a', 'secret-token', { remainingDeps: [], estimateMinutes: 10 });
    const view = presentWork(item, NOW, DEFAULT_SETTINGS);
    expect(view.claim).toEqual({
      agentId: 'agent-a',
      claimedAt: minutesFromNow(-1),
      leaseExpiresAt: minutesFromNow(4),
    });
    expect(view.urgency).toBe(250);
    expect(JSON.stringify(view)).not.toContain('secret-token');
    expect(view).not.toHaveProperty('dependents');
    expect(view).not.toHaveProperty('readyAt');
    expect(conforms(WorkView, view)).toEqual([]);
  });

  it('shows remaining dependencies as blockedBy and leaves absent optionals out', () => {
    const view = presentWork(
      aWorkItem({ status: 'blocked', remainingDeps: ['a'], dependsOn: ['a', 'b'] }),
      NOW,
      DEFAULT_SETTINGS,
    );
    expect(view).toMatchObject({ blockedBy: ['a'], dependsOn: ['a', 'b'] });
    expect(Object.values(view)).not.toContain(undefined);
    expect(conforms(WorkView, view)).toEqual([]);
  });
});

describe('presentClaim', () => {
  it('adds the token for the holder that claimed', () => {
    const view = presentClaim(aClaimedItem('agent-a', 'tok-1'), NOW, DEFAULT_SETTINGS);
    expect(view.claim).toEqual({ token: 'tok-1', leaseExpiresAt: minutesFromNow(4) });
    expect(conforms(ClaimView, view)).toEqual([]);
  });
});

describe('presentAgent', () => {
  it('shows derived status and health, never the token id or stats', () => {
    const view = presentAgent(anAgent({ activeClaims: 1 }), NOW, DEFAULT_SETTINGS);
    expect(view).toMatchObject({ status: 'active', health: { score: 100, reasons: [] }, activeClaims: 1 });
    expect(view).not.toHaveProperty('tokenId');
    expect(view).not.toHaveProperty('stats');
    expect(conforms(AgentViewSchema, view)).toEqual([]);
  });
});

describe('presentEvent', () => {
  it('shows the audit fields', () => {
    const view = presentEvent({
      id: 'ev-1',
      seq: 2,
      at: NOW.toISOString(),
      actor: { type: 'agent', id: 'agent-a' },
      action: 'work.claimed',
      entityType: 'work',
      entityId: 'wi-1',
      agentId: 'agent-a',
      team: 'core',
      after: { status: 'claimed' },
      requestId: 'req-1',
    });
    expect(view).not.toHaveProperty('team');
    expect(view.cursor).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]+$/));
    expect(conforms(AuditEventView, view)).toEqual([]);
  });
});

describe('SettingsView', () => {
  it('describes the default settings', () => {
    expect(conforms(SettingsView, DEFAULT_SETTINGS)).toEqual([]);
  });
});
