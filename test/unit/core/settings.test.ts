import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '#core/settings';

describe('DEFAULT_SETTINGS', () => {
  it('turns the AI features on with the default model', () => {
    expect(DEFAULT_SETTINGS.ai.enabled).toBe(true);
    expect(DEFAULT_SETTINGS.ai.model).toBe('claude-sonnet-5-5');
  });

  it('imports GitHub issues as github-issue items that need no capability', () => {
    expect(DEFAULT_SETTINGS.github.type).toBe('github-issue');
    expect(DEFAULT_SETTINGS.github.capabilities).toEqual([]);
  });
});
