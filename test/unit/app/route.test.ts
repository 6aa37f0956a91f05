import { describe, expect, it } from 'vitest';
import { entryOfRouteId, tagOfPath } from '#app/route';

describe('tagOfPath', () => {
  it('takes the first segment after /v1/ as the tag', () => {
    expect(tagOfPath('/v1/work/{id}/claim')).toBe('work');
    expect(tagOfPath('/v1/agents')).toBe('agents');
    expect(tagOfPath('/v1/escalations/{id}/resolve')).toBe('escalations');
  });

  it('groups settings, tokens and import under admin, and tags the OpenAPI document docs', () => {
    expect(tagOfPath('/v1/config')).toBe('admin');
    expect(tagOfPath('/v1/tokens/{id}')).toBe('admin');
    expect(tagOfPath('/v1/import')).toBe('admin');
    expect(tagOfPath('/openapi.json')).toBe('docs');
  });

  it('fails for a path whose segment has no tag', () => {
    expect(() => tagOfPath('/v1/nothing-here')).toThrow(/add "nothing-here" to ROUTE_TAGS/);
  });
});

describe('entryOfRouteId', () => {
  it('kebab-cases the route id into its handler file', () => {
    expect(entryOfRouteId('claimNext')).toBe('functions/http/claim-next.ts');
    expect(entryOfRouteId('issueAgentToken')).toBe('functions/http/issue-agent-token.ts');
    expect(entryOfRouteId('health')).toBe('functions/http/health.ts');
  });
});
