import { rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCoord, useFakeApi } from '../support/fake-api';
import { agentView } from '../support/views';

const fake = useFakeApi({ COORD_TOKEN: 'registration-key' });

const registered = { status: 201, body: { agent: agentView({ id: 'agent_z' }), token: 'agent-z-token' } };

describe('coord register when the token cannot be saved', () => {
  it('registers nothing and exits 1 when the state folder is not writable', async () => {
    fake.api.on('POST', '/v1/agents', registered);
    const blocker = join(fake.home, 'a-file');
    await writeFile(blocker, 'not a folder');

    const run = await runCoord(['register', 'agent_z', 'api_team'], {
      ...fake.env,
      COORD_STATE_DIR: join(blocker, 'state'),
    });

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('cannot save agent tokens on this machine');
    expect(run.stderr).toContain('nothing was sent');
    expect(fake.api.requests).toEqual([]);
  });

  it('prints the token with the error when saving fails after the service issued it', async () => {
    const stateDir = join(fake.home, 'state');
    fake.api.on('POST', '/v1/agents', () => {
      // The folder disappears between the check and the save (a full disk, a cleanup job).
      rmSync(stateDir, { recursive: true, force: true });
      writeFileSync(stateDir, 'now a file');
      return registered;
    });

    const run = await runCoord(['register', 'agent_z', 'api_team'], {
      ...fake.env,
      COORD_STATE_DIR: stateDir,
    });
    rmSync(stateDir, { force: true });
    const json = await runCoord(['register', 'agent_z', 'api_team', '--json'], {
      ...fake.env,
      COORD_STATE_DIR: stateDir,
    });

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('agent-z-token');
    expect(run.stderr).toContain('could not be saved');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      error: { details: { agentId: 'agent_z', token: 'agent-z-token' } },
    });
  });

  it('checks the folder before coord token issues a new token', async () => {
    fake.api.on('POST', '/v1/agents/agent_z/token', { status: 200, body: { token: 't' } });
    const blocker = join(fake.home, 'a-file');
    await writeFile(blocker, 'x');

    const run = await runCoord(['token', 'agent_z'], { ...fake.env, COORD_STATE_DIR: join(blocker, 's') });

    expect(run.code).toBe(1);
    expect(fake.api.requests).toEqual([]);
  });
});
