import { beforeEach, describe, expect, it } from 'vitest';
import { runCoord, useFakeApi } from '../support/fake-api';
import { agentView, apiError, claimView, workView } from '../support/views';

const fake = useFakeApi({ COORD_TOKEN: 'agent-token', AGENT_ID: 'agent_a' });

const claimFlow = () =>
  fake.api
    .on('POST', '/v1/work', { status: 201, body: workView({ id: 'wi_7' }) })
    .on('POST', '/v1/work/wi_7/claim', { status: 200, body: claimView('wi_7', 'tok-7') });

describe('coord claim', () => {
  it('creates and claims with one Idempotency-Key and prints the id where old scripts look for it', async () => {
    claimFlow();

    const run = await runCoord(['claim', 'build', 'Build the thing', 'high', 'platform_team'], fake.env);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Agent agent_a claiming work: wi_7');
    expect(run.stdout).toContain('SUCCESS: Claimed work item wi_7 for team platform_team');
    const [create] = fake.api.sent('POST', '/v1/work');
    const [claim] = fake.api.sent('POST', '/v1/work/wi_7/claim');
    expect(create?.body).toEqual({
      type: 'build',
      title: 'Build the thing',
      priority: 'high',
      team: 'platform_team',
    });
    expect(claim?.body).toEqual({ agentId: 'agent_a' });
    expect(create?.headers['idempotency-key']).toBeTruthy();
    expect(claim?.headers['idempotency-key']).toBe(create?.headers['idempotency-key']);
    expect(create?.headers.authorization).toBe('Bearer agent-token');
  });

  it('uses the legacy defaults: priority medium, team from AGENT_TEAM, else autonomous_team', async () => {
    claimFlow();

    await runCoord(['claim', 'build', 'Build'], { ...fake.env, AGENT_TEAM: 'web_team' });
    await runCoord(['claim', 'build', 'Build'], fake.env);

    expect(fake.api.sent('POST', '/v1/work').map((request) => request.body)).toEqual([
      { type: 'build', title: 'Build', priority: 'medium', team: 'web_team' },
      { type: 'build', title: 'Build', priority: 'medium', team: 'autonomous_team' },
    ]);
  });

  it('prints only the id with -q and the whole reply with --json', async () => {
    claimFlow();

    const quiet = await runCoord(['claim', 'build', 'Build', '-q'], fake.env);
    const json = await runCoord(['claim', 'build', 'Build', '--json'], fake.env);

    expect(quiet.stdout).toBe('wi_7\n');
    expect(JSON.parse(json.stdout)).toMatchObject({ item: { id: 'wi_7' }, claim: { token: 'tok-7' } });
  });

  it('claims an existing item when given one id', async () => {
    fake.api.on('POST', '/v1/work/wi_9/claim', { status: 200, body: claimView('wi_9', 'tok-9') });

    const run = await runCoord(['claim', 'wi_9'], fake.env);

    expect(run.code).toBe(0);
    expect(fake.api.sent('POST', '/v1/work')).toEqual([]);
  });

  it('exits 3 and names the holder when the item is already claimed', async () => {
    fake.api.on('POST', '/v1/work/wi_9/claim', {
      status: 409,
      body: apiError('already_claimed', 'held', {
        holder: {
          agentId: 'agent_b',
          status: 'active',
          lastHeartbeatAt: '2026-11-26T09:59:00Z',
          leaseExpiresAt: '2026-11-26T10:04:00Z',
        },
      }),
    });

    const run = await runCoord(['claim', 'wi_9'], fake.env);

    expect(run.code).toBe(3);
    expect(run.stderr).toContain('ERROR: already_claimed (HTTP 409): held');
    expect(run.stderr).toContain('held by agent_b (active');
  });

  it('cancels the item it created when the claim step is refused, and exits 3', async () => {
    fake.api
      .on('POST', '/v1/work', { status: 201, body: workView({ id: 'wi_8' }) })
      .on('POST', '/v1/work/wi_8/claim', { status: 409, body: apiError('capacity_exceeded', 'full') })
      .on('POST', '/v1/work/wi_8/cancel', {
        status: 200,
        body: workView({ id: 'wi_8', status: 'cancelled' }),
      });

    const run = await runCoord(['claim', 'build', 'Build'], fake.env);

    expect(run.code).toBe(3);
    expect(fake.api.sent('POST', '/v1/work/wi_8/cancel')).toHaveLength(1);
    expect(run.stderr).toContain('CANCELLED: work item wi_8 was created but could not be claimed');
  });

  it('creates nothing and exits 3 when the agent is already at capacity', async () => {
    claimFlow();
    fake.api.on('GET', '/v1/agents/agent_a', {
      status: 200,
      body: agentView({ capacity: 2, activeClaims: 2 }),
    });

    const run = await runCoord(['claim', 'build', 'Build', 'low', 'team_x'], fake.env);
    const json = await runCoord(['claim', 'build', 'Build', '--json'], fake.env);

    expect(run.code).toBe(3);
    expect(run.stderr).toContain('agent_a already holds 2 of its 2 claim(s): nothing was created');
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { details: { code: 'capacity_exceeded' } } });
    expect(fake.api.sent('POST', '/v1/work')).toEqual([]);
  });

  it('refuses a work id followed by more arguments with exit 2', async () => {
    const run = await runCoord(['claim', 'wi_01KX9', 'extra'], fake.env);
    const legacy = await runCoord(['claim', 'work_1795264686266209091', 'more', 'high'], fake.env);

    expect([run.code, legacy.code]).toEqual([2, 2]);
    expect(run.stderr).toContain("'wi_01KX9' is a work id");
    expect(fake.api.requests).toEqual([]);
  });

  it('refuses an Idempotency-Key the API would refuse with exit 2, naming the option', async () => {
    const long = await runCoord(['claim', 'build', 'Build', '--idempotency-key', 'k'.repeat(200)], fake.env);
    const spaced = await runCoord(['claim', 'wi_1', '--idempotency-key', 'a b'], fake.env);

    expect([long.code, spaced.code]).toEqual([2, 2]);
    expect(long.stderr).toContain('--idempotency-key must be 1 to 128');
    expect(fake.api.requests).toEqual([]);
  });

  it('refuses a priority the service does not know with exit 2', async () => {
    const run = await runCoord(['claim', 'build', 'Build', 'test'], fake.env);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain("priority must be one of critical, high, medium, low, got 'test'");
    expect(fake.api.requests).toEqual([]);
  });

  it('needs an agent id', async () => {
    const run = await runCoord(['claim', 'build', 'Build'], { ...fake.env, AGENT_ID: '' });

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no agent id');
  });
});

describe('coord progress, complete, fail, release with the saved claim token', () => {
  const item = workView({ id: 'wi_7', status: 'in_progress' });

  beforeEach(async () => {
    claimFlow();
    await runCoord(['claim', 'build', 'Build'], fake.env);
  });

  it('sends the saved token, and the status as the note unless it is in_progress', async () => {
    fake.api.on('POST', '/v1/work/wi_7/progress', { status: 200, body: item });

    const first = await runCoord(['progress', 'wi_7', '50'], fake.env);
    await runCoord(['progress', 'wi_7', '60', 'blocked'], fake.env);

    expect(first.stdout).toBe('PROGRESS: Updated wi_7 to 50% (in_progress)\n');
    expect(fake.api.sent('POST', '/v1/work/wi_7/progress').map((request) => request.body)).toEqual([
      { claimToken: 'tok-7', progress: 50 },
      { claimToken: 'tok-7', progress: 60, note: 'blocked' },
    ]);
  });

  it('takes the work id from CURRENT_WORK_ITEM like a sourced legacy script', async () => {
    fake.api.on('POST', '/v1/work/wi_7/progress', { status: 200, body: item });

    const run = await runCoord(['progress', '25'], { ...fake.env, CURRENT_WORK_ITEM: 'wi_7' });

    expect(run.code).toBe(0);
    expect(fake.api.sent('POST', '/v1/work/wi_7/progress')[0]?.body).toEqual({
      claimToken: 'tok-7',
      progress: 25,
    });
  });

  it('refuses a percentage outside 0..100 with exit 2 and sends nothing', async () => {
    for (const value of ['150', '-5', 'half']) {
      const run = await runCoord(['progress', 'wi_7', value], fake.env);
      expect(run.code).toBe(2);
    }
    expect(fake.api.sent('POST', '/v1/work/wi_7/progress')).toEqual([]);
  });

  it('completes with the result and velocity points, then forgets the token', async () => {
    fake.api.on('POST', '/v1/work/wi_7/complete', {
      status: 200,
      body: workView({ id: 'wi_7', status: 'completed' }),
    });

    const run = await runCoord(['complete', 'wi_7', 'success', '8'], fake.env);
    fake.api.on('GET', '/v1/work/wi_7', { status: 200, body: workView({ id: 'wi_7', status: 'completed' }) });
    const again = await runCoord(['complete', 'wi_7'], fake.env);

    expect(run.stdout).toBe('COMPLETED: Released claim for wi_7 (success) - 8 velocity points\n');
    expect(fake.api.sent('POST', '/v1/work/wi_7/complete')[0]?.body).toEqual({
      claimToken: 'tok-7',
      result: { result: 'success', velocityPoints: 8 },
    });
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('no claim token for wi_7 on this machine');
  });

  it("turns the legacy 'complete <id> failed' into a retryable failure", async () => {
    fake.api.on('POST', '/v1/work/wi_7/fail', {
      status: 200,
      body: workView({ id: 'wi_7', status: 'ready', attempts: 1 }),
    });

    const run = await runCoord(['complete', 'wi_7', 'failed'], fake.env);

    expect(run.stdout).toBe('FAILED: wi_7 (failed) - status now ready\n');
    expect(fake.api.sent('POST', '/v1/work/wi_7/fail')[0]?.body).toEqual({
      claimToken: 'tok-7',
      reason: 'failed',
      retryable: true,
    });
  });

  it('fails without retry and releases on request', async () => {
    fake.api
      .on('POST', '/v1/work/wi_7/fail', { status: 200, body: workView({ id: 'wi_7', status: 'failed' }) })
      .on('POST', '/v1/work/wi_7/release', { status: 200, body: workView({ id: 'wi_7', status: 'ready' }) });

    await runCoord(['fail', 'wi_7', 'disk', 'full', '--no-retry'], fake.env);

    expect(fake.api.sent('POST', '/v1/work/wi_7/fail')[0]?.body).toEqual({
      claimToken: 'tok-7',
      reason: 'disk full',
      retryable: false,
    });
  });

  it('exits 3 on a stale claim and forgets the token', async () => {
    fake.api
      .on('POST', '/v1/work/wi_7/progress', { status: 409, body: apiError('stale_claim', 'superseded') })
      .on('GET', '/v1/work/wi_7', { status: 200, body: workView({ id: 'wi_7', status: 'ready' }) });

    const stale = await runCoord(['progress', 'wi_7', '50'], fake.env);
    const after = await runCoord(['progress', 'wi_7', '50'], fake.env);

    expect(stale.code).toBe(3);
    expect(after.code).toBe(3);
    expect(after.stderr).toContain('does not hold it (status ready)');
  });
});

describe('coord progress without a saved token', () => {
  it('takes up a claim the agent holds (an imported one) by claiming it again', async () => {
    const held = workView({
      id: 'work_1795264683974311620',
      status: 'claimed',
      claim: {
        agentId: 'agent_a',
        claimedAt: '2026-11-21T12:38:03Z',
        leaseExpiresAt: '2026-11-26T10:05:00Z',
      },
    });
    fake.api
      .on('GET', '/v1/work/work_1795264683974311620', { status: 200, body: held })
      .on('POST', '/v1/work/work_1795264683974311620/claim', {
        status: 200,
        body: claimView('work_1795264683974311620', 'fresh'),
      })
      .on('POST', '/v1/work/work_1795264683974311620/progress', { status: 200, body: held });

    const run = await runCoord(['progress', 'work_1795264683974311620', '40'], fake.env);

    expect(run.code).toBe(0);
    expect(run.stderr).toContain("taking up agent_a's claim again");
    expect(fake.api.sent('POST', /progress$/)[0]?.body).toEqual({ claimToken: 'fresh', progress: 40 });
  });
});

describe('coord list-work and show', () => {
  it('maps the legacy status active to claimed and follows cursors with --all', async () => {
    fake.api.on('GET', '/v1/work', (request) =>
      request.query.get('cursor')
        ? { status: 200, body: { items: [workView({ id: 'wi_2' })] } }
        : { status: 200, body: { items: [workView({ id: 'wi_1' })], nextCursor: 'c1' } },
    );

    const run = await runCoord(['list-work', 'active', '--team', 'platform_team', '--all'], fake.env);

    expect(run.code).toBe(0);
    const queries = fake.api.sent('GET', '/v1/work').map((request) => Object.fromEntries(request.query));
    expect(queries).toEqual([
      { status: 'claimed', team: 'platform_team' },
      { status: 'claimed', team: 'platform_team', cursor: 'c1' },
    ]);
    expect(run.stdout).toMatch(/^ID\s+STATUS/);
    expect(run.stdout).toContain('wi_2');
  });

  it('refuses an unknown status with exit 2', async () => {
    expect((await runCoord(['list-work', 'done'], fake.env)).code).toBe(2);
  });

  it('shows one item', async () => {
    fake.api.on('GET', '/v1/work/wi_1', { status: 200, body: workView({ id: 'wi_1', lastNote: 'blocked' }) });

    const run = await runCoord(['show', 'wi_1'], fake.env);

    expect(run.stdout).toMatch(/^id:\s+wi_1$/m);
    expect(run.stdout).toMatch(/^last note:\s+blocked$/m);
  });
});

describe('coord claim-next', () => {
  it('exits 0 and says so when nothing fits', async () => {
    fake.api.on('POST', '/v1/work/claim-next', { status: 204 });

    const run = await runCoord(['claim-next', '--team', 'a,b'], fake.env);

    expect(run).toMatchObject({ code: 0, stdout: 'NO WORK: nothing this agent may claim right now\n' });
    expect(fake.api.requests[0]?.body).toEqual({ agentId: 'agent_a', teams: ['a', 'b'] });
  });
});
