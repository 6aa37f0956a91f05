import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_TEAMS_PAGE } from '#app/schemas/admin';
import { loadCliConfig } from '../../../cli/config';
import { runCoord, useFakeApi } from './support/fake-api';
import { agentView, apiError, workView } from './support/views';

const fake = useFakeApi({ COORD_TOKEN: 'admin-token' });

describe('arguments and exit codes', () => {
  it('prints the help with exit 0 for help and --help, and on stderr with exit 2 for no arguments', async () => {
    const help = await runCoord(['help'], fake.env);
    const flag = await runCoord(['--help'], fake.env);
    const none = await runCoord([], fake.env);

    expect(help.code).toBe(0);
    expect(help.stdout).toContain('coord claim <work_type> <description> [priority=medium] [team]');
    expect(help.stdout).toContain('Exit status: 0 ok, 1 error, 2 usage (nothing was sent), 3 conflict');
    expect(flag).toEqual(help);
    expect(none).toEqual({ code: 2, stdout: '', stderr: help.stdout });
  });

  it('prints one command usage for help <command> and --help', async () => {
    const topic = await runCoord(['help', 'progress'], fake.env);
    const flag = await runCoord(['progress', '--help'], fake.env);

    expect(topic.stdout).toMatch(/^usage: coord progress <work_id> <percent> \[status=in_progress\]/);
    expect(flag.stdout).toBe(topic.stdout);
  });

  it('exits 2 for an unknown command, an unknown option and a missing argument', async () => {
    const unknown = await runCoord(['frobnicate'], fake.env);
    const option = await runCoord(['list-work', '--colour', 'red'], fake.env);
    const missing = await runCoord(['progress'], { ...fake.env, AGENT_ID: 'agent_a' });

    expect([unknown.code, option.code, missing.code]).toEqual([2, 2, 2]);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    expect(option.stderr).toContain("Unknown option '--colour'");
    expect(missing.stderr).toContain('usage: coord progress');
    expect(fake.api.requests).toEqual([]);
  });

  it('exits 1 with the error code and request id for other API errors', async () => {
    fake.api.on('GET', '/v1/work/nope', { status: 404, body: apiError('not_found', 'no such item') });

    const run = await runCoord(['show', 'nope'], fake.env);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('ERROR: not_found (HTTP 404): no such item');
    expect(run.stderr).toContain('request id: req-1');
  });

  it('prints errors as JSON on stdout with --json', async () => {
    fake.api.on('GET', '/v1/work/nope', { status: 404, body: apiError('not_found', 'no such item') });

    const run = await runCoord(['show', 'nope', '--json'], fake.env);

    expect(JSON.parse(run.stdout)).toEqual({
      error: { status: 404, code: 'not_found', message: 'no such item', details: {}, requestId: 'req-1' },
    });
  });

  it('exits 1 and hints at npm start when the service is not running', async () => {
    await fake.api.stop();

    const run = await runCoord(['show', 'wi_1'], fake.env);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('is the service running?');
  });
});

describe('the HTTP client', () => {
  it('retries 503 after Retry-After with the same Idempotency-Key', async () => {
    fake.api.on('POST', '/v1/work', (_request, count) =>
      count === 0
        ? { status: 503, body: apiError('unavailable', 'busy'), headers: { 'retry-after': '2' } }
        : { status: 201, body: workView({ id: 'wi_3' }) },
    );
    const sleeps: number[] = [];

    const run = await runCoord(['create', 'build', 'Build', '-q'], fake.env, { sleeps });

    expect(run).toMatchObject({ code: 0, stdout: 'wi_3\n' });
    const [first, second] = fake.api.sent('POST', '/v1/work');
    expect(second?.headers['idempotency-key']).toBe(first?.headers['idempotency-key']);
    expect(sleeps).toEqual([2000]);
  });

  it('gives up after three retries', async () => {
    fake.api.on('GET', '/v1/teams', {
      status: 503,
      body: apiError('unavailable', 'down'),
      headers: { 'retry-after': '0' },
    });

    const run = await runCoord(['teams'], fake.env);

    expect(run.code).toBe(1);
    expect(fake.api.sent('GET', '/v1/teams')).toHaveLength(4);
  });
});

describe('coord teams', () => {
  const team = (name: string) => ({
    team: name,
    agents: { active: 1 },
    work: { ready: 2 },
    forecast: { etaMinutes: null, atRisk: [] },
  });

  it('shows one page and says how to see more, or follows every cursor with --all', async () => {
    fake.api.on('GET', '/v1/teams', (request) =>
      request.query.get('cursor') === 'c2'
        ? { status: 200, body: { items: [team('zeta')] } }
        : { status: 200, body: { items: [team('alpha')], nextCursor: 'c2' } },
    );

    const first = await runCoord(['teams'], fake.env);
    const all = await runCoord(['teams', '--all', '--json'], fake.env);
    const tooMany = await runCoord(['teams', '--limit', '21'], fake.env);

    expect(first.stdout).toContain('alpha');
    expect(first.stdout).not.toContain('zeta');
    expect(first.stderr).toContain('more teams: --cursor c2 (or --all)');
    expect(JSON.parse(all.stdout).items.map((entry: { team: string }) => entry.team)).toEqual([
      'alpha',
      'zeta',
    ]);
    expect(tooMany.code).toBe(2);
    expect(fake.api.sent('GET', '/v1/teams')).toHaveLength(3);
  });
});

describe('configuration', () => {
  it('prefers flags over COORD_* over the legacy names over the config file', async () => {
    const file = join(fake.home, 'config.json');
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
    expect(fromFile.stateDir).toBe(join(fake.home, 'state'));
  });

  it('reads ~/.config/coord/config.json by default and defaults to the local stack', async () => {
    await mkdir(join(fake.home, '.config', 'coord'), { recursive: true });
    await writeFile(join(fake.home, '.config', 'coord', 'config.json'), JSON.stringify({ token: 't' }));

    const config = await loadCliConfig({ HOME: fake.home });

    expect(config).toMatchObject({ url: 'http://127.0.0.1:3000', token: 't' });
  });

  it('exits 2 for a config file with an unknown key or a missing COORD_CONFIG file', async () => {
    const file = join(fake.home, 'config.json');
    await writeFile(file, JSON.stringify({ tokn: 'x' }));

    const unknown = await runCoord(['teams'], { ...fake.env, COORD_CONFIG: file });
    const missing = await runCoord(['teams'], { ...fake.env, COORD_CONFIG: join(fake.home, 'none.json') });

    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown key 'tokn'");
    expect(missing.code).toBe(2);
  });
});

describe('coord register and agent tokens', () => {
  it('turns the legacy capacity percentage into a claim count and saves the token for later calls', async () => {
    fake.api
      .on('POST', '/v1/agents', {
        status: 201,
        body: { agent: agentView({ id: 'agent_z', capacity: 3 }), token: 'agent-z-token' },
      })
      .on('POST', '/v1/agents/agent_z/heartbeat', { status: 202 });

    const run = await runCoord(['register', 'agent_z', 'api_team', '50', 'database'], fake.env);
    const beat = await runCoord(['heartbeat', 'idle'], { ...fake.env, AGENT_ID: 'agent_z' });

    expect(run.stdout).toContain(
      'REGISTERED: Agent agent_z in team platform_team with capacity 3 (legacy 50%)',
    );
    expect(fake.api.sent('POST', '/v1/agents')[0]?.body).toEqual({
      id: 'agent_z',
      team: 'api_team',
      capacity: 3,
      capabilities: ['database'],
    });
    expect(beat.code).toBe(0);
    const [heartbeat] = fake.api.sent('POST', '/v1/agents/agent_z/heartbeat');
    expect(heartbeat?.headers.authorization).toBe('Bearer agent-z-token');
    expect(heartbeat?.body).toEqual({ status: 'idle' });
  });

  it('exits 3 when the agent exists', async () => {
    fake.api.on('POST', '/v1/agents', { status: 409, body: apiError('agent_exists', 'exists') });

    expect((await runCoord(['register', 'agent_z', 'api_team'], fake.env)).code).toBe(3);
  });
});

describe('views', () => {
  it('shows the dashboard without agents when the token may not list them', async () => {
    fake.api
      .on('GET', '/v1/teams', { status: 200, body: { items: [] } })
      .on('GET', '/v1/agents', { status: 403, body: apiError('forbidden', 'no') })
      .on('GET', '/v1/work', (request) => ({
        status: 200,
        body: { items: [workView({ id: `wi_${request.query.get('status')}`, status: 'claimed' })] },
      }));

    const run = await runCoord(['dashboard'], fake.env);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Agents: not visible with this token');
    expect(run.stdout).toContain('Open work (claimed 1, in progress 1):');
    expect(run.stdout).toContain('wi_in_progress');
  });

  it('shows every team on the dashboard, following the pages of /v1/teams', async () => {
    const team = (name: string) => ({
      team: name,
      agents: {},
      work: {},
      forecast: { etaMinutes: null, atRisk: [] },
    });
    fake.api
      .on('GET', '/v1/teams', (request) => ({
        status: 200,
        body:
          request.query.get('cursor') === 'page2'
            ? { items: [team('team_c')] }
            : { items: [team('team_a'), team('team_b')], nextCursor: 'page2' },
      }))
      .on('GET', '/v1/agents', { status: 200, body: { items: [] } })
      .on('GET', '/v1/work', { status: 200, body: { items: [] } });

    const run = await runCoord(['dashboard', '--json'], fake.env);

    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { teams: { team: string }[] }).teams.map((t) => t.team)).toEqual([
      'team_a',
      'team_b',
      'team_c',
    ]);
    const reads = fake.api.sent('GET', '/v1/teams');
    expect(reads.map((request) => request.query.get('cursor'))).toEqual([null, 'page2']);
    expect(reads.every((request) => request.query.get('limit') === String(MAX_TEAMS_PAGE))).toBe(true);
  });

  it('reports health without a token and exits 1 when the service is unavailable', async () => {
    fake.api.on('GET', '/v1/health', {
      status: 503,
      body: { status: 'unavailable', version: '0.1.0', checks: { store: { status: 'unavailable' } } },
    });

    const run = await runCoord(['health'], fake.env);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('UNAVAILABLE');
    expect(run.stdout).toContain('store: unavailable');
    expect(fake.api.requests[0]?.headers.authorization).toBeUndefined();
    expect(fake.api.requests).toHaveLength(1);
  });
});

describe('legacy commands', () => {
  it('generates a legacy-shaped id locally', async () => {
    const run = await runCoord(['generate-id'], fake.env);

    expect(run.stdout).toMatch(/^agent_\d{19}\n$/);
    expect(run.stdout.startsWith('agent_1795687200000')).toBe(true);
    expect(fake.api.requests).toEqual([]);
  });

  it('says a ceremony command no longer applies and exits 0', async () => {
    const run = await runCoord(['pi-planning'], fake.env);
    const alias = await runCoord(['vsm'], fake.env);

    expect(run.code).toBe(0);
    expect(run.stderr).toContain("'pi-planning' printed fixed ceremony text");
    expect(alias.stderr).toContain("'value-stream'");
  });

  it('maps claude-health to the AI health endpoint', async () => {
    fake.api.on('GET', '/v1/ai/health', {
      status: 200,
      body: { source: 'heuristic', status: 'degraded', findings: ['3 agents offline'], alerts: [] },
    });

    const run = await runCoord(['claude-health'], fake.env);

    expect(run.stdout).toBe('HEALTH (heuristic): degraded\n  finding: 3 agents offline\n');
  });

  it('says why Claude was not used when the endpoint says so', async () => {
    fake.api.on('GET', '/v1/ai/health', {
      status: 200,
      body: { source: 'heuristic', fallbackReason: 'no_key', status: 'healthy', findings: [], alerts: [] },
    });
    fake.api.on('POST', '/v1/ai/recommendations', {
      status: 200,
      body: { source: 'heuristic', fallbackReason: 'breaker_open', recommendations: [] },
    });

    const health = await runCoord(['claude-health'], fake.env);
    const plan = await runCoord(['claude-priorities'], fake.env);

    expect(health.stdout).toBe('HEALTH (heuristic, no_key): healthy\n');
    expect(plan.stdout.split('\n')[0]).toBe('RECOMMENDATIONS (heuristic, breaker_open): 0');
  });

  it('claude-dashboard waits for both answers before it reports a failure', async () => {
    fake.api.on('POST', '/v1/ai/recommendations', {
      status: 200,
      body: { source: 'heuristic', recommendations: [] },
      delayMs: 150,
    });

    const run = await runCoord(['claude-dashboard'], fake.env);

    expect(run.code).toBe(1);
    expect(fake.api.requests.map((request) => request.path).sort()).toEqual([
      '/v1/ai/health',
      '/v1/ai/recommendations',
    ]);
    expect(fake.api.answered).toBe(2);
  });

  it('pipes standard input to the AI query endpoint', async () => {
    fake.api.on('POST', '/v1/ai/query', {
      status: 200,
      body: { source: 'heuristic', answer: 'all good', facts: {} },
    });

    const run = await runCoord(['pipe', 'bottlenecks'], fake.env, { stdin: 'queue is long\n' });

    expect(run.stdout).toBe('all good\n');
    expect(fake.api.requests[0]?.body).toEqual({ question: 'bottlenecks analysis of: queue is long' });
  });
});
