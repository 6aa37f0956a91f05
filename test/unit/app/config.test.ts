import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '#app/config';
import { DEFAULT_SETTINGS } from '#core/settings';

const problemsOf = (env: Record<string, string>): readonly string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('loadConfig accepted the environment');
};

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const config = loadConfig({});

    expect(config.stage).toBe('local');
    expect(config.tablePrefix).toBe('coord-local');
    expect(config.region).toBe('us-east-1');
    expect(config.endpoints).toEqual({ dynamodb: undefined, sqs: undefined });
    expect(config.settings).toEqual(DEFAULT_SETTINGS);
    expect(config.readyShards).toBe(16);
    expect(config.serviceVersion).toBe('dev');
    expect(config.secrets.adminToken).toBeUndefined();
  });

  it('reads the previous ready-shard count, 4 by default, and refuses one below 1', () => {
    expect(loadConfig({}).previousReadyShards).toBe(4);
    expect(loadConfig({ COORD_PREVIOUS_READY_SHARDS: '1' }).previousReadyShards).toBe(1);
    expect(problemsOf({ COORD_PREVIOUS_READY_SHARDS: '0' })[0]).toMatch(/^COORD_PREVIOUS_READY_SHARDS:/);
  });

  it('reads CORS origins, none by default, and refuses what is not an origin', () => {
    expect(loadConfig({}).corsOrigins).toEqual([]);
    expect(
      loadConfig({ COORD_CORS_ORIGINS: 'https://a.example, http://localhost:5173' }).corsOrigins,
    ).toEqual(['https://a.example', 'http://localhost:5173']);
    expect(loadConfig({ COORD_CORS_ORIGINS: '*' }).corsOrigins).toEqual(['*']);
    expect(problemsOf({ COORD_CORS_ORIGINS: 'a.example' })[0]).toMatch(/^COORD_CORS_ORIGINS:/);
    expect(problemsOf({ COORD_CORS_ORIGINS: 'https://a.example/path' })[0]).toMatch(/^COORD_CORS_ORIGINS:/);
  });

  it('derives the table prefix from the stage', () => {
    expect(loadConfig({ COORD_STAGE: 'prod' }).tablePrefix).toBe('coord-prod');
    expect(loadConfig({ COORD_STAGE: 'prod', COORD_TABLE_PREFIX: 'custom' }).tablePrefix).toBe('custom');
  });

  it('reads numbers, endpoints, queues and secrets from their variables', () => {
    const config = loadConfig({
      COORD_LEASE_SECONDS: '60',
      COORD_HEARTBEAT_TIMEOUT_MULTIPLE: '2.5',
      COORD_DEFAULT_MAX_ATTEMPTS: '5',
      COORD_READY_SHARDS: '8',
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
      COORD_HEARTBEATS_QUEUE_URL: 'http://127.0.0.1:9324/queue/heartbeats',
      COORD_ADMIN_TOKEN: 'admin-secret-token',
      COORD_REGISTRATION_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:reg',
      COORD_SERVICE_VERSION: '1.2.3',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:7000',
    });

    expect(config.settings.leaseSeconds).toBe(60);
    expect(config.settings.heartbeatTimeoutMultiple).toBe(2.5);
    expect(config.settings.defaultMaxAttempts).toBe(5);
    expect(config.settings.urgencyWeights).toEqual(DEFAULT_SETTINGS.urgencyWeights);
    expect(config.readyShards).toBe(8);
    expect(config.region).toBe('eu-west-1');
    expect(config.endpoints).toEqual({ dynamodb: 'http://127.0.0.1:8000', sqs: 'http://127.0.0.1:4566' });
    expect(config.queues.heartbeatsUrl).toBe('http://127.0.0.1:9324/queue/heartbeats');
    expect(config.secrets).toEqual({
      adminToken: 'admin-secret-token',
      registrationKey: undefined,
      adminTokenSecretArn: undefined,
      registrationKeySecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:reg',
    });
    expect(config.serviceVersion).toBe('1.2.3');
    expect(config.anthropic.baseUrl).toBe('http://127.0.0.1:7000');
  });

  it('treats empty strings as unset', () => {
    const config = loadConfig({ COORD_LEASE_SECONDS: '', COORD_ADMIN_TOKEN: '' });

    expect(config.settings.leaseSeconds).toBe(300);
    expect(config.secrets.adminToken).toBeUndefined();
  });

  it('lists every bad variable in one error', () => {
    const problems = problemsOf({
      COORD_LEASE_SECONDS: '3',
      COORD_HEARTBEAT_TIMEOUT_MULTIPLE: 'often',
      COORD_DEFAULT_MAX_ATTEMPTS: '21',
      COORD_READY_SHARDS: '1.5',
      AWS_ENDPOINT_URL: 'not a url',
      COORD_STAGE: 'Prod!',
    });

    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'AWS_ENDPOINT_URL',
      'COORD_DEFAULT_MAX_ATTEMPTS',
      'COORD_HEARTBEAT_TIMEOUT_MULTIPLE',
      'COORD_LEASE_SECONDS',
      'COORD_READY_SHARDS',
      'COORD_STAGE',
    ]);
  });

  it('accepts the edges of the lease range and refuses just outside them', () => {
    expect(loadConfig({ COORD_LEASE_SECONDS: '5' }).settings.leaseSeconds).toBe(5);
    expect(loadConfig({ COORD_LEASE_SECONDS: '86400' }).settings.leaseSeconds).toBe(86_400);
    expect(problemsOf({ COORD_LEASE_SECONDS: '86401' })).toHaveLength(1);
  });

  it('refuses a secret given both directly and as an ARN', () => {
    const problems = problemsOf({
      COORD_ADMIN_TOKEN: 'admin-secret-token',
      COORD_ADMIN_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:admin',
    });

    expect(problems).toEqual(['COORD_ADMIN_TOKEN: give either it or COORD_ADMIN_TOKEN_SECRET_ARN, not both']);
  });

  it('reads the GitHub webhook secret directly or as an ARN, never both, and none by default', () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:github';

    expect(loadConfig({}).githubWebhook).toEqual({ secret: undefined, secretArn: undefined });
    expect(loadConfig({ COORD_GITHUB_WEBHOOK_SECRET: 'webhook-secret' }).githubWebhook.secret).toBe(
      'webhook-secret',
    );
    expect(loadConfig({ COORD_GITHUB_WEBHOOK_SECRET_ARN: arn }).githubWebhook.secretArn).toBe(arn);
    expect(problemsOf({ COORD_GITHUB_WEBHOOK_SECRET: 'short' })).toHaveLength(1);
    expect(
      problemsOf({ COORD_GITHUB_WEBHOOK_SECRET: 'webhook-secret', COORD_GITHUB_WEBHOOK_SECRET_ARN: arn }),
    ).toEqual(['COORD_GITHUB_WEBHOOK_SECRET: give either it or COORD_GITHUB_WEBHOOK_SECRET_ARN, not both']);
  });

  it('never echoes a secret value in its error', () => {
    const error = (() => {
      try {
        loadConfig({ COORD_ADMIN_TOKEN: 'short', COORD_LEASE_SECONDS: 'x' });
      } catch (thrown) {
        return thrown as Error;
      }
      throw new Error('loadConfig accepted the environment');
    })();

    expect(error.message).toContain('COORD_ADMIN_TOKEN');
    expect(error.message).not.toContain('short');
  });

  it('ignores variables it does not know', () => {
    expect(loadConfig({ HOME: '/root', COORD_UNKNOWN: 'x' }).stage).toBe('local');
  });

  it('returns a deeply frozen result', () => {
    const config = loadConfig({});

    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.settings.urgencyWeights.priority)).toBe(true);
    expect(() => {
      (config.settings as { leaseSeconds: number }).leaseSeconds = 1;
    }).toThrow(TypeError);
  });

  it('leaves the shared default settings untouched', () => {
    loadConfig({ COORD_LEASE_SECONDS: '60' });

    expect(DEFAULT_SETTINGS.leaseSeconds).toBe(300);
    expect(Object.isFrozen(DEFAULT_SETTINGS.urgencyWeights)).toBe(false);
  });
});
