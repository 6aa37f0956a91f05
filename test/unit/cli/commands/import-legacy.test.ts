import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ImportBody } from '../../../../cli/legacy/import-records';
import { type RecordedRequest, runCoord, useFakeApi } from '../support/fake-api';
import { fixtureDir } from '../support/legacy-fixtures';
import { apiError } from '../support/views';

const fake = useFakeApi({ COORD_TOKEN: 'admin-token' });

const counts = (body: ImportBody) => ({
  agents: body.agents?.length ?? 0,
  work: body.work?.length ?? 0,
  events: body.events?.length ?? 0,
});

/** Creates everything it is sent, as a first import would. */
const createAll = (request: RecordedRequest) => ({
  status: 200,
  body: {
    created: counts(request.body as ImportBody),
    unchanged: { agents: 0, work: 0, events: 0 },
    conflicts: [],
    rejected: [],
  },
});

describe('coord import-legacy --dry-run', () => {
  it('reports what it would send and sends nothing', async () => {
    const run = await runCoord(['import-legacy', '--dir', fixtureDir(), '--dry-run'], fake.env);

    expect(run.code).toBe(0);
    expect(fake.api.requests).toEqual([]);
    expect(run.stdout).toContain('(dry run: nothing sent)');
    expect(run.stdout).toMatch(/^agents\s+8\s+-\s+-\s+-\s+0\s+0$/m);
    expect(run.stdout).toMatch(/^work\s+40\s+-\s+-\s+-\s+0\s+0$/m);
    expect(run.stdout).toMatch(/^events\s+86\s+-\s+-\s+-\s+0\s+98$/m);
    expect(run.stdout).toContain('events: 58 x phoenix event');
  });

  it('takes the directory from COORDINATION_DIR', async () => {
    const run = await runCoord(['import-legacy', '--dry-run', '--json'], {
      ...fake.env,
      COORDINATION_DIR: fixtureDir(),
    });

    expect(JSON.parse(run.stdout).totals.work.planned).toBe(40);
  });

  it('needs a directory', async () => {
    expect((await runCoord(['import-legacy'], fake.env)).code).toBe(2);
  });
});

describe('coord import-legacy', () => {
  it('sends the records with an Idempotency-Key of its own, and prints the summary', async () => {
    fake.api.on('POST', '/v1/import', createAll);

    const run = await runCoord(['import-legacy', '--dir', fixtureDir()], fake.env);

    expect(run.code).toBe(0);
    const [call] = fake.api.sent('POST', '/v1/import');
    expect(call?.headers.authorization).toBe('Bearer admin-token');
    expect(call?.headers['idempotency-key']).toMatch(/^[0-9a-f]{64}$/);
    expect(call?.headers['idempotency-key']).not.toBe(
      createHash('sha256')
        .update(call?.rawBody ?? '')
        .digest('hex'),
    );
    expect(counts(call?.body as ImportBody)).toEqual({ agents: 8, work: 40, events: 86 });
    expect(run.stdout).toMatch(/^work\s+40\s+40\s+0\s+0\s+0\s+0$/m);
  });

  it('sends the same bodies again on a re-run, which the service answers as unchanged', async () => {
    fake.api.on('POST', '/v1/import', createAll);
    await runCoord(['import-legacy', '--dir', fixtureDir('swarmsh-variant')], fake.env);
    fake.api.on('POST', '/v1/import', (request) => ({
      status: 200,
      body: {
        created: { agents: 0, work: 0, events: 0 },
        unchanged: counts(request.body as ImportBody),
        conflicts: [],
        rejected: [],
      },
    }));

    const rerun = await runCoord(['import-legacy', '--dir', fixtureDir('swarmsh-variant')], fake.env);

    const [first, second] = fake.api.sent('POST', '/v1/import');
    expect(second?.rawBody).toBe(first?.rawBody);
    // A new key per run: the service answers afresh instead of replaying the first run's answer.
    expect(second?.headers['idempotency-key']).not.toBe(first?.headers['idempotency-key']);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toMatch(/^work\s+10\s+0\s+10\s+0\s+0\s+0$/m);
  });

  it('exits 3 and lists conflicts the service reports', async () => {
    fake.api.on('POST', '/v1/import', (request) => ({
      status: 200,
      body: {
        created: { ...counts(request.body as ImportBody), work: 39 },
        unchanged: { agents: 0, work: 0, events: 0 },
        conflicts: [{ kind: 'work', id: 'work_1795264683784008223', reason: 'exists with other content' }],
        rejected: [],
      },
    }));

    const run = await runCoord(['import-legacy', '--dir', fixtureDir()], fake.env);

    expect(run.code).toBe(3);
    expect(run.stdout).toContain('work work_1795264683784008223: exists with other content');
  });

  it('names the legacy file and record of a record the service rejects', async () => {
    fake.api.on('POST', '/v1/import', (request) => ({
      status: 200,
      body: {
        created: { ...counts(request.body as ImportBody), work: 39 },
        unchanged: { agents: 0, work: 0, events: 0 },
        conflicts: [],
        rejected: [{ kind: 'work', index: 2, reason: 'unknown agent' }],
      },
    }));

    const run = await runCoord(['import-legacy', '--dir', fixtureDir()], fake.env);

    const text = readFileSync(join(fixtureDir(), 'work_claims.json'), 'utf8');
    const byte = text.lastIndexOf('{', text.indexOf('work_1795264684151111801'));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `work work_claims.json record 2 (byte ${byte}): rejected by the service (unknown agent)`,
    );
  });

  it('rejects the records a validation error names and sends the rest again', async () => {
    fake.api.on('POST', '/v1/import', (request, count) =>
      count === 0
        ? {
            status: 400,
            body: apiError('validation_error', 'bad', {
              errors: [{ path: '/work/1/title', message: 'must NOT have more than 200 characters' }],
            }),
          }
        : createAll(request),
    );

    const run = await runCoord(['import-legacy', '--dir', fixtureDir()], fake.env);

    const [first, second] = fake.api.sent('POST', '/v1/import').map((call) => call.body as ImportBody);
    const removed = first?.work?.[1]?.id;
    expect(second?.work).toHaveLength(39);
    expect(second?.work?.map((item) => item.id)).not.toContain(removed);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`/work/1/title: must NOT have more than 200 characters`);
  });

  it('stops with exit 1 and says a re-run finishes when the service fails', async () => {
    fake.api.on('POST', '/v1/import', { status: 500, body: apiError('internal', 'boom') });

    const run = await runCoord(['import-legacy', '--dir', fixtureDir()], fake.env);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('STOPPED after 0 of 1 calls: /v1/import answered HTTP 500 internal: boom');
    expect(run.stdout).toContain('run it again to finish');
  });

  it('stops at the first call when the service has no import route', async () => {
    const run = await runCoord(['import-legacy', '--dir', fixtureDir()], fake.env);

    expect(run.code).toBe(1);
    expect(fake.api.sent('POST', '/v1/import')).toHaveLength(1);
    expect(run.stdout).toContain('STOPPED after 0 of 1 calls: /v1/import answered HTTP 404 not_found');
  });

  it('rejects every record of a refused call and says so once per reason', async () => {
    fake.api.on('POST', '/v1/import', {
      status: 400,
      body: apiError('validation_error', 'malformed JSON', { errors: [{ path: '', message: 'bad' }] }),
    });

    const run = await runCoord(['import-legacy', '--dir', fixtureDir()], fake.env);
    const verbose = await runCoord(['import-legacy', '--dir', fixtureDir(), '--verbose'], fake.env);

    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^agents\s+8\s+0\s+0\s+0\s+8\s+0$/m);
    expect(run.stdout).toContain(
      '134 records: rejected by the service (call refused: validation_error: malformed JSON)',
    );
    expect(verbose.stdout).toContain('agents agent_status.json record 0 (byte 4): rejected by the service');
  });

  it('needs a token unless it is a dry run', async () => {
    const run = await runCoord(['import-legacy', '--dir', fixtureDir()], { ...fake.env, COORD_TOKEN: '' });

    expect(run.code).toBe(2);
    expect(fake.api.requests).toEqual([]);
  });
});

describe('coord import-legacy on damaged files', () => {
  it('imports nothing and names file and byte offset of each damage', async () => {
    fake.api.on('POST', '/v1/import', createAll);

    const run = await runCoord(['import-legacy', '--dir', fixtureDir('corrupted')], fake.env);

    expect(run.code).toBe(1);
    expect(fake.api.requests).toEqual([]);
    expect(run.stderr).toContain('nothing imported');
    expect(run.stderr).toContain(
      'work_claims.json: byte 15388 (line 492, column 33), record 23: unterminated string',
    );
    expect(run.stderr).toContain(
      "agent_status.json: byte 863 (line 34, column 17), record 2: expected a JSON value, found the bare word 'eighty'",
    );
    expect(run.stderr).toContain('--salvage');
  });

  it('imports the whole records around the damage with --salvage and lists the skipped bytes', async () => {
    fake.api.on('POST', '/v1/import', createAll);

    const run = await runCoord(['import-legacy', '--dir', fixtureDir('corrupted'), '--salvage'], fake.env);

    expect(run.code).toBe(0);
    const body = fake.api.sent('POST', '/v1/import')[0]?.body as ImportBody;
    // the damaged agent record holds claims, so a placeholder stands in for it
    expect(counts(body)).toMatchObject({ agents: 8, work: 23 });
    const placeholders = body.agents?.filter((agent) => agent.metadata?.legacyPlaceholder === true);
    expect(placeholders?.map((agent) => agent.id)).toEqual(['agent_1795250283608232111']);
    expect(run.stdout).toContain('Salvaged around damage');
    expect(run.stdout).toContain('[skipped bytes 14867..15388]');
  });
});

describe('coord import-legacy on large inputs', () => {
  it('splits into calls of at most 500 records and draws a progress bar on a terminal', async () => {
    const dir = join(fake.home, 'big');
    await mkdir(dir);
    const claims = Array.from({ length: 1200 }, (_, index) => ({
      work_item_id: `work_${String(1795264683784008223n + BigInt(index))}`,
      agent_id: null,
      status: 'pending',
      work_type: 'bulk',
      description: `item ${index}`,
      team: 'bulk_team',
      priority: 'low',
    }));
    await writeFile(join(dir, 'work_claims.json'), JSON.stringify(claims, null, 2));
    fake.api.on('POST', '/v1/import', createAll);

    const run = await runCoord(['import-legacy', '--dir', dir], fake.env, { tty: true });

    expect(fake.api.sent('POST', '/v1/import').map((call) => counts(call.body as ImportBody).work)).toEqual([
      500, 500, 200,
    ]);
    expect(run.stderr).toContain('] 1200/1200 records');
    expect(run.stdout).toMatch(/^work\s+1200\s+1200\s+0\s+0\s+0\s+0$/m);
  });

  it('draws no progress bar when stderr is not a terminal', async () => {
    fake.api.on('POST', '/v1/import', createAll);

    const run = await runCoord(['import-legacy', '--dir', fixtureDir()], fake.env, { tty: false });

    expect(run.stderr).toBe('');
  });
});
