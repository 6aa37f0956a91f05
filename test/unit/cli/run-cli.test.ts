import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCliConfig } from '../../../cli/config';
import { FakeApi, runCoord, scratchHome } from './support/fake-api';
import { agentView, apiError, workView } from './support/views';

let api: FakeApi;
let home: Awaited<ReturnType<typeof scratchHome>>;
let env: Record<string, string>;

beforeEach(async () => {
  api = new FakeApi();
  home = await scratchHome();
  env = { COORD_URL: await api.start(), COORD_TOKEN: 'admin-token', XDG_CONFIG_HOME: home.dir };
});

afterEach(async () => {
  await api.stop();
  await home.remove();
});

describe('arguments and exit codes', () => {
  it('prints the help with exit 0 for help and for no arguments', async () => {
    const help = await runCoord(['help'], env);
    const none = await runCoord([], env);

    expect(help.code).toBe(0);
    expect(help.stdout).toContain('coord claim <work_type> <description> [priority=medium] [team]');
    expect(help.stdout).toContain('Exit status: 0 ok, 1 error, 2 usage, 3 conflict (HTTP 409).');
    expect(none.stdout).toBe(help.stdout);
  });

  it('prints one command usage for help <command> and --help', async () => {
    const topic = await runCoord(['help', 'progress'], env);
    const flag = await runCoord(['progress', '--help'], env);

    expect(topic.stdout).toMatch(/^usage: coord progress <work_id> <percent> \[status=in_progress\]/);
    expect(flag.stdout).toBe(topic.stdout);
  });

  it('exits 2 for an unknown command, an unknown option and a missing argument', async () => {
    const unknown = await runCoord(['frobnicate'], env);
    const option = await runCoord(['list-work', '--colour', 'red'], env);
    const missing = await runCoord(['progress'], { ...env, AGENT_ID: 'agent_a' });

    expect([unknown.code, option.code, missing.code]).toEqual([2, 2, 2]);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    expect(option.stderr).toContain("Unknown option '--colour'");
    expect(missing.stderr).toContain('usage: coord progress');
    expect(api.requests).toEqual([]);
  });

  it('exits 1 with the error code and request id for other API errors', async () => {
    api.on('GET', '/v1/work/nope', { status: 404, body: apiError('not_found', 'no such item') });

    const run = await runCoord(['show', 'nope'], env);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('ERROR: not_found (HTTP 404): no such item');
    expect(run.stderr).toContain('request id: req-1');
  });

  it('prints errors as JSON on stdout with --json', async () => {
    api.on('GET', '/v1/work/nope', { status: 404, body: apiError('not_found', 'no such item') });

    const run = await runCoord(['show', 'nope', '--json'], env);

    expect(JSON.parse(run.stdout)).toEqual({
      error: { status: 404, code: 'not_found', message: 'no such item', details: {}, requestId: 'req-1' },
    });
  });

  it('exits 1 and hints at npm start when the service is not running', async () => {
    await api.stop();

    const run = await runCoord(['show', 'wi_1'], env);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('is the service running?');
  });
});

describe('the HTTP client', () => {
  it('retries 503 after Retry-After with the same Idempotency-Key', async () => {
    api.on('POST', '/v1/work', (_request, count) =>
      count === 0
        ? { status: 503, body: apiError('unavailable', 'busy'), headers: { 'retry-after': '2' } }
        : { status: 201, body: workView({ id: 'wi_3' }) },
    );
    const sleeps: number[] = [];

    const run = await runCoord(['create', 'build', 'Build', '-q'], env, { sleeps });

    expect(run).toMatchObject({ code: 0, stdout: 'wi_3\n' });
    const [first, second] = api.sent('POST', '/v1/work');
    expect(second?.headers['idempotency-key']).toBe(first?.headers['idempotency-key']);
    expect(sleeps).toEqual([2000]);
  });

  it('gives up after three retries', async () => {
    api.on('GET', '/v1/teams', {
      status: 503,
      body: apiError('unavailable', 'down'),
      headers: { 'retry-after': '0' },
    });

    const run = await runCoord(['teams'], env);

    expect(run.code).toBe(1);
    expect(api.sent('GET', '/v1/teams')).toHaveLength(4);
  });
});

describe('configuration', () => {
  it('prefers flags over COORD_* over the legacy names over the config file', async () => {
    const file = join(home.dir, 'config.json');
    await writeFile(file, JSON.stringify({ url: 'http://file:1', agentId: 'from_file', team: 'file_team' }));

    const fromFile = await loadCliConfig({ COORD_CONFIG: file });
    const legacy = await loadCliConfig({
      COORD_CONFIG: file,
      AGENT_ID: 'legacy_id',
      AGENT_TEAM: 'legacy_team',
    });
    const modern = await loadCliConfig({
      COORD_CONFIG: file,
      AGENT_ID: 'legacy_id',
      COORD_AGENT_ID: 'modern_id',
    });
    const flagged = await loadCliConfig(
      { COORD_CONFIG: file, COORD_AGENT_ID: 'modern_id' },
      { agentId: 'flag_id' },
    );

    expect(fromFile).toMatchObject({ url: 'http://file:1', agentId: 'from_file', team: 'file_team' });
    expect(legacy).toMatchObject({ agentId: 'legacy_id', team: 'legacy_team' });
    expect(modern.agentId).toBe('modern_id');
    expect(flagged.agentId).toBe('flag_id');
    expect(fromFile.stateDir).toBe(join(home.dir, 'state'));
  });

  it('reads ~/.config/coord/config.json by default and defaults to the local stack', async () => {
    await mkdir(join(home.dir, '.config', 'coord'), { recursive: true });
    await writeFile(join(home.dir, '.config', 'coord', 'config.json'), JSON.stringify({ token: 't' }));

    const config = await loadCliConfig({ HOME: home.dir });

    expect(config).toMatchObject({ url: 'http://127.0.0.1:3000', token: 't' });
  });

  it('exits 2 for a config file with an unknown key or a missing COORD_CONFIG file', async () => {
    const file = join(home.dir, 'config.json');
    await writeFile(file, JSON.stringify({ tokn: 'x' }));

    const unknown = await runCoord(['teams'], { ...env, COORD_CONFIG: file });
    const missing = await runCoord(['teams'], { ...env, COORD_CONFIG: join(home.dir, 'none.json') });

    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown key 'tokn'");
    expect(missing.code).toBe(2);
  });
});

describe('coord register and agent tokens', () => {
  it('turns the legacy capacity percentage into a claim count and saves the token for later calls', async () => {
    api
      .on('POST', '/v1/agents', {
        status: 201,
        body: { agent: agentView({ id: 'agent_z', capacity: 3 }), token: 'agent-z-token' },
      })
      .on('POST', '/v1/agents/agent_z/heartbeat', { status: 202 });

    const run = await runCoord(['register', 'agent_z', 'api_team', '50', 'database'], env);
    const beat = await runCoord(['heartbeat', 'idle'], { ...env, AGENT_ID: 'agent_z' });

    expect(run.stdout).toContain(
      'REGISTERED: Agent agent_z in team platform_team with capacity 3 (legacy 50%)',
    );
    expect(api.sent('POST', '/v1/agents')[0]?.body).toEqual({
      id: 'agent_z',
      team: 'api_team',
      capacity: 3,
      capabilities: ['database'],
    });
    expect(beat.code).toBe(0);
    const [heartbeat] = api.sent('POST', '/v1/agents/agent_z/heartbeat');
    expect(heartbeat?.headers.authorization).toBe('Bearer agent-z-token');
    expect(heartbeat?.body).toEqual({ status: 'idle' });
  });

  it('exits 3 when the agent exists', async () => {
    api.on('POST', '/v1/agents', { status: 409, body: apiError('agent_exists', 'exists') });

    expect((await runCoord(['register', 'agent_z', 'api_team'], env)).code).toBe(3);
  });
});

describe('views', () => {
  it('shows the dashboard without agents when the token may not list them', async () => {
    api
      .on('GET', '/v1/teams', { status: 200, body: { items: [] } })
      .on('GET', '/v1/agents', { status: 403, body: apiError('forbidden', 'no') })
      .on('GET', '/v1/work', (request) => ({
        status: 200,
        body: { items: [workView({ id: `wi_${request.query.get('status')}`, status: 'claimed' })] },
      }));

    const run = await runCoord(['dashboard'], env);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Agents: not visible with this token');
    expect(run.stdout).toContain('Open work (claimed 1, in progress 1):');
    expect(run.stdout).toContain('wi_in_progress');
  });

  it('reports health without a token and exits 1 when the service is unavailable', async () => {
    api.on('GET', '/v1/health', {
      status: 503,
      body: { status: 'unavailable', version: '0.1.0', checks: { store: { status: 'unavailable' } } },
    });

    const run = await runCoord(['health'], env);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('UNAVAILABLE');
    expect(run.stdout).toContain('store: unavailable');
    expect(api.requests[0]?.headers.authorization).toBeUndefined();
    expect(api.requests).toHaveLength(1);
  });
});

describe('legacy commands', () => {
  it('generates a legacy-shaped id locally', async () => {
    const run = await runCoord(['generate-id'], env);

    expect(run.stdout).toMatch(/^agent_\d{19}\n$/);
    expect(run.stdout.startsWith('agent_1795687200000')).toBe(true);
    expect(api.requests).toEqual([]);
  });

  it('says a ceremony command no longer applies and exits 0', async () => {
    const run = await runCoord(['pi-planning'], env);
    const alias = await runCoord(['vsm'], env);

    expect(run.code).toBe(0);
    expect(run.stderr).toContain("'pi-planning' printed fixed ceremony text");
    expect(alias.stderr).toContain("'value-stream'");
  });

  it('maps claude-health to the AI health endpoint', async () => {
    api.on('GET', '/v1/ai/health', {
      status: 200,
      body: { source: 'heuristic', status: 'degraded', findings: ['3 agents offline'], alerts: [] },
    });

    const run = await runCoord(['claude-health'], env);

    expect(run.stdout).toBe('HEALTH (heuristic): degraded\n  finding: 3 agents offline\n');
  });

  it('pipes standard input to the AI query endpoint', async () => {
    api.on('POST', '/v1/ai/query', {
      status: 200,
      body: { source: 'heuristic', answer: 'all good', facts: {} },
    });

    const run = await runCoord(['pipe', 'bottlenecks'], env, { stdin: 'queue is long\n' });

    expect(run.stdout).toBe('all good\n');
    expect(api.requests[0]?.body).toEqual({ question: 'bottlenecks analysis of: queue is long' });
  });
});
