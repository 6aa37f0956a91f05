/**
 * What a request or a queue message is about, read from its input alone: no Powertools object is
 * created here, so the local runtime can import it before it sets the handlers' environment.
 */

/** What a request is about, as X-Ray annotations (searchable: `annotation.work = "wi_..."`). */
export interface RequestFacts {
  readonly agent?: string;
  readonly work?: string;
  readonly team?: string;
}

const textOf = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/**
 * The agent, work item and team of a request: the calling agent (or the agent the path names),
 * the work item the path names, and the team of the caller's token or of the body or query.
 */
export const requestFacts = (
  path: string,
  input: {
    readonly principal?: { readonly agentId?: string; readonly team?: string };
    readonly params?: unknown;
    readonly body?: unknown;
    readonly query?: unknown;
  },
): RequestFacts => {
  const field = (source: unknown, key: string) =>
    typeof source === 'object' && source !== null
      ? textOf((source as Record<string, unknown>)[key])
      : undefined;
  const id = field(input.params, 'id');
  const agent = input.principal?.agentId ?? (path.startsWith('/v1/agents/{id}') ? id : undefined);
  const work = path.startsWith('/v1/work/{id}') ? id : undefined;
  const team = input.principal?.team ?? field(input.body, 'team') ?? field(input.query, 'team');
  return { ...(agent && { agent }), ...(work && { work }), ...(team && { team }) };
};

/** The SQS message attribute names of a message's origin (`MessageOrigin` in `observability.ts`). */
export const MESSAGE_ORIGIN_ATTRIBUTES = { requestId: 'requestId', traceHeader: 'traceHeader' } as const;
