/**
 * The shape of a `coord` command and the context it runs in. The context builds the config,
 * the HTTP client and the local token store lazily, so commands that need none of them
 * (`generate-id`, `import-legacy --dry-run`, `help`) work without a service or a token.
 */
import type { ParseArgsConfig } from 'node:util';
import { ApiClient } from './client';
import type { CliConfig } from './config';
import { type ExitCode, type Io, UsageError } from './io';
import { outboxOf, replayQuietly } from './outbox';
import { LocalState } from './state';

/** Option definitions in `util.parseArgs` form. */
export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** Values parsed from the options. */
export type OptionValues = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

/** Who a command acts as when it acts as an agent. */
export interface AgentSession {
  readonly agentId: string;
  /** A client that sends the agent's token. */
  readonly client: ApiClient;
}

/** Everything a command gets. */
export interface CommandContext {
  readonly io: Io;
  readonly positionals: readonly string[];
  /** Words after `--` (the command `coord run` wraps). */
  readonly rest: readonly string[];
  readonly values: OptionValues;
  readonly json: boolean;
  readonly quiet: boolean;
  config(): Promise<CliConfig>;
  /** A client with the configured token (admin, viewer or registration key). */
  client(): Promise<ApiClient>;
  /** A client for the configured service with another token. */
  clientWith(token: string): Promise<ApiClient>;
  /** The agent this run acts as, with its token. @throws UsageError without an agent id or token */
  agent(): Promise<AgentSession>;
  state(): Promise<LocalState>;
}

/** Groups for the help text. */
export type CommandGroup = 'work' | 'agents' | 'views' | 'ai' | 'import' | 'runtime' | 'checks' | 'legacy';

/** One `coord` command. */
export interface Command {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly group: CommandGroup;
  /** Arguments, as the help shows them (`<id> <pct> [status]`). */
  readonly usage: string;
  readonly summary: string;
  readonly options?: OptionsConfig;
  /** Takes the words after `--` (only `run`). */
  readonly takesRest?: boolean;
  /**
   * `false`: its requests skip the outbox and it does not replay it first (`doctor`'s probes,
   * `import-legacy`'s own idempotent batches, `outbox` itself). @default true
   */
  readonly outbox?: false;
  run(context: CommandContext): Promise<ExitCode | undefined>;
}

/** The context factory's inputs. */
export interface ContextInputs {
  readonly io: Io;
  readonly positionals: readonly string[];
  readonly rest: readonly string[];
  readonly values: OptionValues;
  readonly loadConfig: () => Promise<CliConfig>;
  readonly fetch?: typeof fetch;
  /** Whether state-changing requests go through the outbox. @default true */
  readonly outbox?: boolean;
}

const once = <T>(make: () => Promise<T>): (() => Promise<T>) => {
  let value: Promise<T> | undefined;
  return () => {
    value ??= make();
    return value;
  };
};

/** Builds a command's context. */
export const createContext = (inputs: ContextInputs): CommandContext => {
  const { io, values } = inputs;
  const config = once(inputs.loadConfig);
  const state = once(async () => {
    const { stateDir, url } = await config();
    return new LocalState(stateDir, url);
  });
  const outbox = inputs.outbox === false ? undefined : outboxOf(state, io);
  const makeClient = (url: string, token: string | undefined): ApiClient =>
    new ApiClient({
      baseUrl: url,
      ...(token ? { token } : {}),
      sleep: io.sleep,
      ...(inputs.fetch ? { fetch: inputs.fetch } : {}),
      ...(outbox ? { outbox, beforeFirstRequest: replay } : {}),
    });
  // What the outbox holds is sent before the command's first request: a report an outage kept is
  // applied before anything that follows it, and a command refused for its usage sends nothing.
  const replay = once(async () => {
    let local: LocalState;
    try {
      local = await state();
    } catch {
      return;
    }
    if ((await local.listOutbox().catch(() => [])).length === 0) return;
    const { url, token } = await config();
    await replayQuietly(local, makeClient(url, token), io);
  });
  return {
    io,
    positionals: inputs.positionals,
    rest: inputs.rest,
    values,
    json: values.json === true,
    quiet: values.quiet === true,
    config,
    state,
    client: once(async () => {
      const { url, token } = await config();
      return makeClient(url, token);
    }),
    clientWith: async (token) => makeClient((await config()).url, token),
    agent: once(async () => {
      const resolved = await config();
      if (!resolved.agentId) {
        throw new UsageError('no agent id: set COORD_AGENT_ID (or AGENT_ID), or pass --agent-id');
      }
      const saved = resolved.agentToken ? undefined : await (await state()).loadAgent(resolved.agentId);
      const token = resolved.agentToken ?? saved?.token ?? resolved.token;
      if (!token) {
        throw new UsageError(
          `no token for agent ${resolved.agentId}: run \`coord register\`, or set COORD_AGENT_TOKEN or COORD_TOKEN`,
        );
      }
      return { agentId: resolved.agentId, client: makeClient(resolved.url, token) };
    }),
  };
};

/** A positional argument, or undefined. */
export const positional = (context: CommandContext, index: number): string | undefined => {
  const value = context.positionals[index];
  return value === undefined || value === '' ? undefined : value;
};

/** A string option, or undefined. */
export const stringOption = (context: CommandContext, name: string): string | undefined => {
  const value = context.values[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/** Fails with a usage error when there are more positionals than a command takes. */
export const atMost = (context: CommandContext, count: number): void => {
  if (context.positionals.length > count) {
    throw new UsageError(`unexpected argument '${context.positionals[count]}'`);
  }
};

/** A comma-separated list option (`--capabilities a,b`). */
export const listOption = (context: CommandContext, name: string): string[] | undefined => {
  const value = stringOption(context, name);
  if (value === undefined) return undefined;
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  return items.length > 0 ? items : undefined;
};

/** An integer option or argument within a range. @throws UsageError otherwise */
export const integerIn = (raw: string, name: string, min: number, max: number): number => {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}, got '${raw}'`);
  }
  return value;
};

/** Client for reads: the configured token when there is one (viewer, admin), else the agent's. */
export const readerClient = async (context: CommandContext): Promise<ApiClient> => {
  const config = await context.config();
  return config.token || !config.agentId ? context.client() : (await context.agent()).client;
};

/**
 * Client for writes an agent or an admin may make (create, update-agent, retire). Without an
 * agent id: the configured token. With one: an explicit agent token (`--token`,
 * `COORD_AGENT_TOKEN`), then an explicit `COORD_TOKEN` (so an admin acts as admin even with
 * `COORD_AGENT_ID` set), then the agent's saved token, then the config file's token.
 */
export const writerClient = async (context: CommandContext): Promise<ApiClient> => {
  const config = await context.config();
  if (!config.agentId || (config.explicitToken && !config.agentToken)) return context.client();
  return (await context.agent()).client;
};

/** Options of every list command. */
export const PAGE_OPTIONS = {
  limit: { type: 'string' },
  cursor: { type: 'string' },
  all: { type: 'boolean' },
} as const;

/**
 * Reads a list: one page, or every page with `--all`; `--limit` (at most `maxLimit`, the route's
 * own maximum) and `--cursor` pass through.
 * Returns the items and the cursor of the page after the last one read.
 */
export const readPages = async <T>(
  context: CommandContext,
  client: ApiClient,
  path: string,
  filters: Readonly<Record<string, string | undefined>>,
  maxLimit = 200,
): Promise<{ items: T[]; nextCursor?: string }> => {
  const limit = stringOption(context, 'limit');
  return followPages<T>(client, path, {
    query: { ...filters, limit: limit === undefined ? undefined : integerIn(limit, '--limit', 1, maxLimit) },
    cursor: stringOption(context, 'cursor'),
    all: context.values.all === true,
  });
};

/**
 * Reads a list from `cursor` (else the start): one page, or with `all` every page that follows.
 * Returns the items and the cursor of the page after the last one read.
 */
export const followPages = async <T>(
  client: ApiClient,
  path: string,
  how: {
    readonly query: Readonly<Record<string, string | number | undefined>>;
    readonly cursor?: string | undefined;
    readonly all: boolean;
  },
): Promise<{ items: T[]; nextCursor?: string }> => {
  const items: T[] = [];
  let cursor = how.cursor;
  for (;;) {
    const { body } = await client.request<{ items: T[]; nextCursor?: string }>('GET', path, {
      query: { ...how.query, cursor },
    });
    items.push(...body.items);
    cursor = body.nextCursor;
    if (!cursor || !how.all) break;
  }
  return { items, ...(cursor ? { nextCursor: cursor } : {}) };
};
