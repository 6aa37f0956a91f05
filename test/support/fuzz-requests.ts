/**
 * Arbitrary requests to every route, for fuzzing the HTTP API: malformed, oversized, deeply
 * nested, wrongly typed and unknown-field bodies, odd path ids, unknown and repeated query
 * parameters, forged cursors, and every kind of caller. Shared by the integration property test
 * (a fixed seed, a few hundred runs) and `npm run bench:fuzz` (ten thousand and more).
 */
import fc from 'fast-check';
import { ROUTES, type RouteDefinition } from '#functions/shared/routes';

/** Who sends a fuzzed request. */
export const CALLERS = ['admin', 'viewer', 'member', 'agent', 'registration', 'none', 'garbage'] as const;
export type Caller = (typeof CALLERS)[number];

/** One fuzzed request, before it is addressed to a running API or a handler. */
export interface FuzzRequest {
  readonly route: RouteDefinition;
  readonly caller: Caller;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  /** An object or array is sent as JSON; a string as it is; undefined: no body. */
  readonly body: unknown;
}

/** Field names the API knows somewhere, so objects sometimes reach past "unknown field". */
const KNOWN_FIELDS = [
  'id',
  'team',
  'type',
  'title',
  'agentId',
  'claimToken',
  'progress',
  'note',
  'result',
  'reason',
  'retryable',
  'mode',
  'status',
  'priority',
  'capabilities',
  'capacity',
  'metadata',
  'dependsOn',
  'deadline',
  'role',
  'label',
  'expiresInDays',
  'teams',
  'types',
  'agents',
  'work',
  'events',
  'question',
  'leaseSeconds',
  'limit',
  'cursor',
  'since',
  'until',
  'window',
  'entityId',
  'actorId',
  'url',
  'secret',
  'body',
  'mentions',
  'upTo',
  'unread',
] as const;

const RESERVED_IDS = ['admin', 'registration', 'system', 'import', 'ADMIN', 'tok_x', '..', '%2F', ''];

/** An object nested `depth` levels deep. */
const nested = (depth: number): unknown => {
  let value: unknown = 'leaf';
  for (let level = 0; level < depth; level += 1) value = level % 2 === 0 ? { a: value } : [value];
  return value;
};

const base64url = (text: string): string => Buffer.from(text).toString('base64url');

const cursorArbitrary = fc.oneof(
  fc.string(),
  fc.json().map(base64url),
  fc
    .record({ l: fc.constantFrom('work.byStatus', 'audit.byTime', 'agents.all', 'teams'), p: fc.anything() })
    .map((cursor) => base64url(JSON.stringify({ ...cursor, f: 'x' }))),
  fc.constantFrom(
    base64url(JSON.stringify({ s: -1, k: { pk: 'x' } })),
    base64url(JSON.stringify({ b: '9999-12-31T00:00:00.000Z#x' })),
    `${base64url('{}')}.AAAAAAAAAAAAAAAAAAAAAA`,
  ),
);

const scalarText = fc.oneof(
  fc.string(),
  fc.integer().map(String),
  fc.double().map(String),
  fc.constantFrom('', '-1', '0', '1e309', 'NaN', 'true', 'null', '9999-12-31T00:00:00Z', 'x'.repeat(3000)),
);

const queryArbitrary = fc.dictionary(
  fc.oneof(fc.constantFrom(...KNOWN_FIELDS), fc.string({ maxLength: 12 })),
  fc.oneof(scalarText, cursorArbitrary),
  { maxKeys: 4 },
);

/** Message text: control characters, lone surrogates, markup, and sizes around the 8 KB limit. */
const messageText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({
    unit: fc.constantFrom('a', '\u0000', '\u0007', '\n', '\t', '\ud800', '\udfff', '€', '<', '>'),
  }),
  fc.constantFrom('<script>alert(1)</script>', 'a'.repeat(8192), 'a'.repeat(8193), '€'.repeat(2731), ''),
);

/** Message bodies (`{body, mentions}`) and read marks (`{upTo}`), well-formed or nearly. */
const messageBody = fc.oneof(
  fc.record(
    {
      body: messageText,
      mentions: fc.array(fc.oneof(fc.string({ maxLength: 140 }), fc.constantFrom(...RESERVED_IDS)), {
        maxLength: 25,
      }),
    },
    { requiredKeys: ['body'] },
  ),
  fc.record({
    upTo: fc.oneof(
      fc.string(),
      fc.stringMatching(/^msg_[0-9A-HJKMNP-TV-Z]{26}$/),
      fc.constantFrom('msg_', 'msg_ZZZZZZZZZZZZZZZZZZZZZZZZZZ'),
    ),
  }),
);

const bodyArbitrary = fc.oneof(
  { weight: 2, arbitrary: messageBody },
  { weight: 3, arbitrary: fc.dictionary(fc.constantFrom(...KNOWN_FIELDS), fc.anything(), { maxKeys: 6 }) },
  { weight: 2, arbitrary: fc.anything() },
  { weight: 1, arbitrary: fc.string() },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3000 }).map(nested) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...KNOWN_FIELDS), fc.integer({ min: 1, max: 200 }))
      .map(([field, depth]) => ({ [field]: nested(depth) })),
  },
  { weight: 1, arbitrary: fc.constantFrom('{', '{"a":', '[1,]', 'null', '"x"', '{}'.padEnd(70_000, ' ')) },
  {
    weight: 1,
    arbitrary: fc.dictionary(fc.constantFrom(...KNOWN_FIELDS), fc.constant('x'.repeat(80_000)), {
      minKeys: 1,
      maxKeys: 1,
    }),
  },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

/** Path ids: the ones that exist, reserved names, and anything. */
const idArbitrary = (known: readonly string[]) =>
  fc.oneof(
    fc.constantFrom(...known, ...RESERVED_IDS),
    fc.string({ minLength: 1, maxLength: 300 }),
    fc.stringMatching(/^[A-Za-z0-9_.:-]{1,140}$/),
  );

/** Requests to `routes` (every route by default), with path ids drawn partly from `knownIds`. */
export const fuzzRequests = (
  knownIds: readonly string[],
  routes: readonly RouteDefinition[] = ROUTES,
): fc.Arbitrary<FuzzRequest> =>
  fc.record({
    route: fc.constantFrom(...routes),
    caller: fc.constantFrom(...CALLERS),
    params: fc.record({ id: idArbitrary(knownIds) }),
    query: queryArbitrary,
    body: bodyArbitrary,
  });

/** The concrete path of a request: the route's template with its ids filled in. */
export const pathOf = (request: FuzzRequest): string =>
  request.route.path.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(request.params[name] ?? ''),
  );

/** The seed `npm test` fuzzes with, so a failure there is the same on every machine. */
export const FUZZ_SEED = 20_261_205;

/** A delivery to a route authenticated by an outside service's signature (`signedBy`). */
export interface SignedDelivery {
  /** `X-GitHub-Event`; undefined: no header. */
  readonly event: string | undefined;
  /** An object is sent as JSON; a string as it is. */
  readonly body: unknown;
  /** Whether the body is signed with the configured secret (else with another one). */
  readonly signed: boolean;
}

const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof(arbitrary, fc.anything());

/** Payloads shaped like GitHub's `issues` events, with every field sometimes wrong or missing. */
const issuesPayload = fc.record(
  {
    action: maybe(fc.constantFrom('opened', 'labeled', 'unlabeled', 'closed', 'reopened', 'edited', '')),
    issue: maybe(
      fc.record(
        {
          number: maybe(fc.integer({ min: -1, max: 2 ** 31 })),
          title: maybe(fc.string({ unit: 'binary', maxLength: 400 })),
          body: maybe(fc.oneof(fc.string({ unit: 'binary', maxLength: 12_000 }), fc.constant(null))),
          html_url: maybe(fc.webUrl()),
          state: maybe(fc.constantFrom('open', 'closed')),
          labels: maybe(
            fc.array(fc.record({ name: maybe(fc.constantFrom('agent-work', 'P0', 'P3', 'bug')) }), {
              maxLength: 5,
            }),
          ),
        },
        { requiredKeys: [] },
      ),
    ),
    repository: maybe(
      fc.record(
        {
          id: maybe(fc.integer()),
          full_name: maybe(fc.oneof(fc.constantFrom('octo-org/agent-hub'), fc.string({ maxLength: 200 }))),
        },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: [] },
);

/** Deliveries to a signed route: GitHub-shaped or arbitrary bodies, any event name, signed or not. */
export const signedDeliveries = (): fc.Arbitrary<SignedDelivery> =>
  fc.record({
    event: fc.oneof(
      fc.constantFrom('issues', 'ping', 'push', 'issue_comment', 'ISSUES', ''),
      fc.constant(undefined),
      fc.string({ maxLength: 40 }),
    ),
    body: fc.oneof({ weight: 3, arbitrary: issuesPayload }, { weight: 2, arbitrary: bodyArbitrary }),
    signed: fc.boolean(),
  });
