/**
 * `npm start` as a process: it stops everything it started on SIGINT and SIGTERM (also while
 * still starting), explains a missing Java, keeps generated credentials and, with a data dir,
 * the data. Each test runs `local/main.ts` in a child process, as `npm start` does.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { unique } from '#test/support/builders';
import { ApiClient, pollUntil } from '#test/support/http-client';
import { launchLocalStack, spawnLocalStack } from '#test/support/local-stack';

const SLOW = 180_000;

/** Process ids of the DynamoDB Local children of `pid` (none once it stopped them). */
const dynamoDbChildren = (pid: number): number[] => {
  try {
    return execFileSync('pgrep', ['-P', String(pid), '-f', 'DynamoDBLocal'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
};

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const scratchDir = (name: string) => mkdtempSync(join(tmpdir(), `coord-${name}-`));

describe('local/main.ts as a process', () => {
  it(
    'leaves no DynamoDB Local behind when stopped while still starting',
    async () => {
      const launched = launchLocalStack();
      const pid = launched.child.pid as number;
      const javaPids = await pollUntil(
        async () => dynamoDbChildren(pid),
        (pids) => pids.length > 0,
        { timeoutMs: 60_000, what: 'DynamoDB Local started' },
      );

      launched.child.kill('SIGTERM');
      const code = await launched.exited;

      expect(code).toBe(0);
      for (const javaPid of javaPids) expect(isRunning(javaPid)).toBe(false);
      expect(launched.output()).not.toContain('COORD_READY');
    },
    SLOW,
  );

  it(
    'says what to install and exits 1, without a stack trace, when Java is missing',
    async () => {
      const launched = launchLocalStack({ PATH: dirname(process.execPath) });

      const code = await launched.exited;

      expect(code).toBe(1);
      expect(launched.output()).toContain('needs a Java runtime');
      expect(launched.output()).toContain('apt-get install');
      expect(launched.output()).not.toMatch(/^\s+at /m);
    },
    SLOW,
  );

  it(
    'honours COORD_CORS_ORIGINS in the gateway and the handlers alike, for that origin only',
    async () => {
      const origin = 'https://app.example';
      // On the run's emulators: CORS is the gateway's and the handlers' alone.
      const stack = await spawnLocalStack({
        COORD_CORS_ORIGINS: origin,
        AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'),
        AWS_ENDPOINT_URL_SQS: inject('sqsEndpoint'),
        COORD_TABLE_PREFIX: `cors-${unique()}`,
      });
      const api = new ApiClient(stack.url, stack.adminToken);

      const preflight = await api.request('OPTIONS', '/v1/work', {
        headers: { origin, 'access-control-request-method': 'POST' },
      });
      const listed = await api.get('/v1/work?team=blue', { headers: { origin } });
      const other = await api.get('/v1/work?team=blue', { headers: { origin: 'https://evil.example' } });
      await stack.stop();

      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
      expect(preflight.headers.get('access-control-allow-methods')).toBe('GET, HEAD, POST, OPTIONS');
      expect(listed.status, listed.text).toBe(200);
      expect(listed.headers.get('access-control-allow-origin')).toBe(origin);
      expect(other.status).toBe(200);
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    },
    SLOW,
  );

  it(
    'keeps generated credentials (privately) and the data across a restart after Ctrl-C; stops the HTTP server and DynamoDB Local on SIGTERM',
    async () => {
      // Arrange: a first run generates credentials and registers an agent
      const scratch = scratchDir('restart');
      const file = join(scratch, 'credentials.json');
      const kept = { COORD_CREDENTIALS_FILE: file, COORD_DATA_DIR: join(scratch, 'data') };
      const first = await spawnLocalStack(kept);
      const registered = await new ApiClient(first.url, first.registrationKey).post('/v1/agents', {
        id: 'survivor-1',
        team: 'persistence',
      });
      expect(registered.status, registered.text).toBe(201);
      const javaPids = dynamoDbChildren(first.pid);

      // Act: Ctrl-C, then start again with the same settings; SIGTERM then stops the second run
      const code = await first.stop('SIGINT');
      const second = await spawnLocalStack(kept);
      const found = await new ApiClient(second.url, first.adminToken).get('/v1/agents/survivor-1');
      const secondJavaPids = dynamoDbChildren(second.pid);
      const terminated = await second.stop('SIGTERM');

      // Assert
      expect(code).toBe(0);
      expect(javaPids).toHaveLength(1);
      for (const pid of javaPids) expect(isRunning(pid)).toBe(false);
      expect(first.adminToken).toMatch(/^coord_admin_/);
      expect(first.registrationKey).toMatch(/^coord_registration_/);
      expect([second.adminToken, second.registrationKey]).toEqual([first.adminToken, first.registrationKey]);
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
        adminToken: first.adminToken,
        registrationKey: first.registrationKey,
      });
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(second.dataDir).toBe(kept.COORD_DATA_DIR);
      expect(found.status, found.text).toBe(200);
      expect(found.body).toMatchObject({ id: 'survivor-1', team: 'persistence' });
      expect(secondJavaPids).toHaveLength(1);
      expect(terminated).toBe(0);
      for (const pid of secondJavaPids) expect(isRunning(pid)).toBe(false);
      await expect(fetch(`${second.url}/v1/health`)).rejects.toThrow();
    },
    SLOW,
  );
});
