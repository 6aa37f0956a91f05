import { describe, expect, it } from 'vitest';
import { ANTHROPIC_KEY_PLACEHOLDER, anthropicKeyOf, ConfigError, loadConfig } from '#app/config';

describe('the Anthropic key', () => {
  it('reads the placeholder and an empty secret as no key, and trims a real one', () => {
    expect(anthropicKeyOf(ANTHROPIC_KEY_PLACEHOLDER)).toBeUndefined();
    expect(anthropicKeyOf(' ')).toBeUndefined();
    expect(anthropicKeyOf('sk-ant-abc\n')).toBe('sk-ant-abc');
  });

  it('is given directly or as a secret ARN, not both', () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:anthropic-AbCdEf';
    expect(loadConfig({ ANTHROPIC_API_KEY_SECRET_ARN: arn }).anthropic.apiKeySecretArn).toBe(arn);
    expect(() => loadConfig({ ANTHROPIC_API_KEY: 'sk-ant-x', ANTHROPIC_API_KEY_SECRET_ARN: arn })).toThrow(
      ConfigError,
    );
  });
});
