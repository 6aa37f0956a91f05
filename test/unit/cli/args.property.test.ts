/**
 * Property tests over `coord`'s argument parsing: any argv (known and unknown commands and
 * options, numbers, negative numbers, `--`, any Unicode including control characters and lone
 * surrogates) ends in a clear answer: exit 2 with nothing sent, or a result (0, 1, 3) from what
 * the service said. Never a crash, never a raw control character or a cut character in the
 * output, never a malformed string sent to the service.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../cli/run-cli';
import { codePointLength, isWellFormed } from '../../../cli/text';
import { runCoord, useFakeApi } from './support/fake-api';
import { agentView, claimView, workView } from './support/views';

const fake = useFakeApi({ COORD_TOKEN: 'admin-token', AGENT_ID: 'agent_a' });

/** Commands that start processes, serve stdin, write files or read whole folders: not fuzzed. */
const UNSAFE_TO_FUZZ = new Set(['run', 'mcp', 'claude-enhanced', 'enhanced', 'import-legacy']);

const names = COMMANDS.flatMap((command) => [command.name, ...(command.aliases ?? [])]).filter(
  (name) => !UNSAFE_TO_FUZZ.has(name),
);
const optionNames = [
  ...new Set(COMMANDS.flatMap((command) => Object.keys(command.options ?? {}))),
  'json',
  'quiet',
  'help',
  'token',
  'agent-id',
  'no-such-option',
];

/** Any string, with control characters, emoji and lone surrogates well represented. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({
    unit: fc.constantFrom(
      '\u0000',
      '\u001b',
      '\r',
      '\n',
      '\t',
      '\u0085',
      '\u009b',
      '🚀',
      '\ud800',
      '\udc00',
      'x',
      ' ',
      '-',
      "'",
      '"',
    ),
  }),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.constantFrom(
    'wi_1',
    'work_1795264686266209091',
    'agent_ok',
    'high',
    'low',
    '50',
    '-5',
    '--',
    '-',
    '-q',
    '--json',
  ),
);

const argument = fc.oneof(
  { weight: 3, arbitrary: anyText },
  { weight: 2, arbitrary: fc.constantFrom(...optionNames).map((name) => `--${name}`) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...optionNames), anyText)
      .map(([name, value]) => `--${name}=${value}`),
  },
);

const argv = fc
  .tuple(
    fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...names, 'help') }, { weight: 1, arbitrary: anyText }),
    fc.array(argument, { maxLength: 6 }),
  )
  .map(([name, rest]) => [name, ...rest]);

/** Control characters other than newline and tab (which human output keeps). */
const rawControls = (text: string): string[] =>
  [...text].filter((c) => {
    const code = c.charCodeAt(0);
    return c !== '\n' && c !== '\t' && (code < 0x20 || (code >= 0x7f && code <= 0x9f));
  });

/** Every string in a value, however deep. */
const stringsIn = (value: unknown): string[] =>
  typeof value === 'string'
    ? [value]
    : value && typeof value === 'object'
      ? Object.entries(value).flatMap(([key, inner]) => [key, ...stringsIn(inner)])
      : [];

/** A service that says yes where it can (so commands reach their output), and 404 elsewhere. */
const answerEverything = () => {
  fake.api
    .on('GET', /^\/v1\/agents\/[^/]+$/, { status: 200, body: agentView({ capacity: 5 }) })
    .on('GET', /^\/v1\/work\/[^/]+$/, {
      status: 200,
      body: workView({ id: 'wi_1', title: 'evil \u001b[2J\r\nrow' }),
    })
    .on('GET', '/v1/work', { status: 200, body: { items: [workView({ title: 'a\u009b\ud800b' })] } })
    .on('GET', '/v1/agents', { status: 200, body: { items: [agentView()] } })
    .on('GET', '/v1/teams', { status: 200, body: { items: [] } })
    .on('POST', '/v1/work', { status: 201, body: workView({ id: 'wi_1' }) })
    .on('POST', /^\/v1\/work\/[^/]+\/claim$/, { status: 200, body: claimView('wi_1', 'tok') })
    .on('POST', '/v1/work/claim-next', { status: 204 })
    .on('POST', '/v1/agents', { status: 201, body: { agent: agentView(), token: 'tok-a' } });
};

describe('coord on any arguments', () => {
  it('answers with exit 2 and sends nothing, or with what the service said; output is always clean', async () => {
    answerEverything();
    await fc.assert(
      fc.asyncProperty(argv, async (args) => {
        const sentBefore = fake.api.requests.length;

        const run = await runCoord(args, fake.env);

        const sent = fake.api.requests.slice(sentBefore);
        expect([0, 1, 2, 3]).toContain(run.code);
        if (run.code === 2) expect(sent).toEqual([]);
        // Errors (1) and conflicts (3) come from what the service answered, never from coord itself.
        if (run.code === 1 || run.code === 3) expect(sent.length, run.stderr).toBeGreaterThan(0);
        for (const output of [run.stdout, run.stderr]) {
          expect(rawControls(output)).toEqual([]);
          expect(isWellFormed(output)).toBe(true);
        }
        const terminator = args.indexOf('--');
        const jsonAsked = args.slice(0, terminator === -1 ? undefined : terminator).includes('--json');
        if (jsonAsked && run.code !== 0 && run.stdout !== '')
          expect(() => JSON.parse(run.stdout)).not.toThrow();
        for (const request of sent) {
          for (const text of stringsIn(request.body)) expect(isWellFormed(text)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  }, 120_000);

  it('coord create sends a whole title of at most 200 code points cut from the first line, or exits 2', async () => {
    answerEverything();
    await fc.assert(
      fc.asyncProperty(anyText, anyText, async (type, description) => {
        const sentBefore = fake.api.requests.length;

        const run = await runCoord(['create', '--', type, description], fake.env);

        const sent = fake.api
          .sent('POST', '/v1/work')
          .filter((request) => fake.api.requests.indexOf(request) >= sentBefore);
        if (run.code === 2) {
          expect(sent).toEqual([]);
          return;
        }
        expect(run.code).toBe(0);
        const body = sent[0]?.body as { type: string; title: string; description?: string };
        expect(body.type).toBe(type);
        expect(isWellFormed(body.title)).toBe(true);
        expect(codePointLength(body.title)).toBeLessThanOrEqual(200);
        expect(codePointLength(body.title)).toBeGreaterThan(0);
        const firstLine = (description.split('\n')[0] ?? '').replaceAll('\t', ' ').trim();
        if (firstLine !== '') {
          const kept =
            body.title.endsWith('…') && body.title !== firstLine ? body.title.slice(0, -1) : body.title;
          expect(firstLine.startsWith(kept)).toBe(true);
        }
        expect(body.description ?? body.title).toBe(
          body.description === undefined ? description : description,
        );
      }),
      { numRuns: 500 },
    );
  }, 120_000);
});
