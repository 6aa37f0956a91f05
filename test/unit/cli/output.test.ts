import { describe, expect, it } from 'vitest';
import { isWellFormed } from '../../../cli/text';
import { runCoord, useFakeApi } from './support/fake-api';
import { apiError, workView } from './support/views';

const fake = useFakeApi({ COORD_TOKEN: 'viewer-token' });

/** Control characters other than the newline that ends each line. */
const rawControls = (text: string): string[] =>
  [...text].filter(
    (c) => c !== '\n' && (c.charCodeAt(0) < 0x20 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f)),
  );

const hostile = [
  workView({ id: 'wi_1', title: '\u001b[31mRED\u001b[0m title' }),
  workView({ id: 'wi_2', title: 'line one\r\nwi_fake  ready  x  y  -  0%  forged row' }),
  workView({ id: 'wi_3', title: 'lone \ud800 surrogate \u009b31m' }),
];

describe('human output neutralises control characters in data', () => {
  it('list-work shows one row per item, with escapes instead of raw control characters', async () => {
    fake.api.on('GET', '/v1/work', { status: 200, body: { items: hostile } });

    const run = await runCoord(['list-work'], fake.env);

    expect(run.code).toBe(0);
    expect(rawControls(run.stdout)).toEqual([]);
    expect(isWellFormed(run.stdout)).toBe(true);
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(1 + hostile.length);
    expect(run.stdout).toContain('\\x1b[31mRED\\x1b[0m title');
    expect(run.stdout).toContain('line one\\r\\nwi_fake');
    expect(run.stdout).toContain('lone \\ud800 surrogate \\x9b31m');
  });

  it('dashboard does the same', async () => {
    fake.api
      .on('GET', '/v1/teams', { status: 200, body: { items: [] } })
      .on('GET', '/v1/agents', { status: 200, body: { items: [] } })
      .on('GET', '/v1/work', { status: 200, body: { items: hostile } });

    const run = await runCoord(['dashboard'], fake.env);

    expect(run.code).toBe(0);
    expect(rawControls(run.stdout)).toEqual([]);
    expect(isWellFormed(run.stdout)).toBe(true);
  });

  it('show and API error messages too', async () => {
    fake.api.on('GET', '/v1/work/wi_1', { status: 200, body: hostile[0] }).on('GET', '/v1/work/wi_9', {
      status: 404,
      body: apiError('not_found', 'no item \u001b]0;pwned\u0007'),
    });

    const show = await runCoord(['show', 'wi_1'], fake.env);
    const missing = await runCoord(['show', 'wi_9'], fake.env);

    expect(rawControls(show.stdout)).toEqual([]);
    expect(rawControls(missing.stderr)).toEqual([]);
    expect(missing.stderr).toContain('no item \\x1b]0;pwned\\x07');
  });

  it('--json output stays the exact data, as valid JSON', async () => {
    fake.api.on('GET', '/v1/work', { status: 200, body: { items: hostile } });

    const run = await runCoord(['list-work', '--json'], fake.env);

    expect(rawControls(run.stdout)).toEqual([]);
    expect(JSON.parse(run.stdout).items.map((item: { title: string }) => item.title)).toEqual(
      hostile.map((item) => item.title),
    );
  });
});

describe('coord create titles', () => {
  it('cuts a long first line between code points: 198 x and four rockets', async () => {
    fake.api.on('POST', '/v1/work', { status: 201, body: workView({ id: 'wi_5' }) });

    const run = await runCoord(['create', 'build', `${'x'.repeat(198)}🚀🚀🚀🚀`, '-q'], fake.env);

    expect(run.code).toBe(0);
    const body = fake.api.sent('POST', '/v1/work')[0]?.body as { title: string; description: string };
    expect(body.title).toBe(`${'x'.repeat(198)}🚀…`);
    expect(isWellFormed(body.title)).toBe(true);
    expect(body.description).toBe(`${'x'.repeat(198)}🚀🚀🚀🚀`);
  });

  it('refuses control characters and lone surrogates with exit 2 before sending', async () => {
    const withEscape = await runCoord(['create', 'build', 'evil \u001b[2J title'], fake.env);
    const surrogate = await runCoord(['create', 'bu\ud800ild', 'title'], fake.env);
    const team = await runCoord(['create', 'build', 'title', 'low', 'bad team'], fake.env);

    expect([withEscape.code, surrogate.code, team.code]).toEqual([2, 2, 2]);
    expect(withEscape.stderr).toContain('the description holds a control character (\\x1b)');
    expect(rawControls(withEscape.stderr)).toEqual([]);
    expect(fake.api.requests).toEqual([]);
  });

  it('keeps a multi-line description whole, with its first line as the title', async () => {
    fake.api.on('POST', '/v1/work', { status: 201, body: workView({ id: 'wi_5' }) });

    await runCoord(['create', 'build', 'First line\n\tdetails\nmore'], fake.env);

    expect(fake.api.sent('POST', '/v1/work')[0]?.body).toMatchObject({
      title: 'First line',
      description: 'First line\n\tdetails\nmore',
    });
  });
});
