/**
 * Agent commands. `register` keeps the legacy positionals; its capacity argument is the
 * legacy percentage and is turned into a claim count by the importer's rule (`--capacity`
 * takes a claim count directly). The issued agent token is saved on this machine, so later
 * commands with the same agent id use it.
 */
import type { AgentTokenIssued, AgentViewSchema, RegisterAgentResult } from '#app/schemas/views';
import { ReportedStatus, RetireMode } from '#core/agents/status';
import { requireAgentId, requireTeam } from '../args';
import {
  atMost,
  type Command,
  type CommandContext,
  integerIn,
  listOption,
  PAGE_OPTIONS,
  positional,
  readerClient,
  readPages,
  stringOption,
  writerClient,
} from '../command';
import { agentTable } from '../format';
import { CommandFailure, ExitCode, say, sayJson, table, UsageError, warn } from '../io';
import { LEGACY_DEFAULT_TEAM } from '../legacy/fields';
import { capacityFor } from '../legacy/map-agents';
import { DEFAULT_FULL_CAPACITY_CLAIMS } from '../legacy/plan';

const agentPath = (id: string, action?: string): string =>
  `/v1/agents/${encodeURIComponent(id)}${action ? `/${action}` : ''}`;

/** Options that change an agent's settings, taken by `register` and `update-agent`. */
const SETTING_OPTIONS = {
  capacity: { type: 'string' },
  capabilities: { type: 'string' },
  'heartbeat-interval': { type: 'string' },
} as const;

/** The settings given as options (`--capacity` is a claim count). */
const settingsFrom = (context: CommandContext) => {
  const capacity = stringOption(context, 'capacity');
  const capabilities = listOption(context, 'capabilities');
  const interval = stringOption(context, 'heartbeat-interval');
  return {
    ...(capacity ? { capacity: integerIn(capacity, '--capacity', 1, 100) } : {}),
    ...(capabilities ? { capabilities } : {}),
    ...(interval ? { heartbeatIntervalSec: integerIn(interval, '--heartbeat-interval', 5, 3600) } : {}),
  };
};

/**
 * Fails before anything is issued when agent tokens cannot be saved on this machine.
 * @throws CommandFailure naming the folder
 */
export const checkTokenFolder = async (context: CommandContext): Promise<void> => {
  const state = await context.state();
  try {
    await state.checkAgentsWritable();
  } catch (error) {
    throw new CommandFailure(
      `cannot save agent tokens on this machine (${(error as Error).message}); nothing was sent. ` +
        'Set COORD_STATE_DIR to a writable folder',
    );
  }
};

/**
 * Saves an issued token; when that fails the token is printed with the error (stderr), since
 * the service shows it only once. @throws CommandFailure after printing the token
 */
export const saveToken = async (context: CommandContext, agentId: string, token: string): Promise<string> => {
  try {
    return await (await context.state()).saveAgent({
      agentId,
      token,
      savedAt: context.io.now().toISOString(),
    });
  } catch (error) {
    warn(context.io, `ERROR: the token of ${agentId} could not be saved: ${(error as Error).message}`);
    warn(context.io, `Token of ${agentId} (shown once, keep it: COORD_AGENT_TOKEN=...): ${token}`);
    throw new CommandFailure(
      `${agentId} has a new token, but this machine did not save it (printed above)`,
      ExitCode.Error,
      { agentId, token },
    );
  }
};

const register: Command = {
  name: 'register',
  group: 'agents',
  usage:
    '<agent_id> [team=autonomous_team] [capacity%=100] [specialization] [--capacity n] [--capabilities a,b]',
  summary: 'Register an agent (needs the registration key or admin token); saves its token on this machine',
  options: SETTING_OPTIONS,
  async run(context) {
    atMost(context, 4);
    const config = await context.config();
    const rawId = positional(context, 0) ?? config.agentId;
    if (!rawId) throw new UsageError('an agent id is required');
    const id = requireAgentId(rawId);
    const team = requireTeam(positional(context, 1) ?? config.team ?? LEGACY_DEFAULT_TEAM);
    const rawPercent = positional(context, 2);
    const percent = rawPercent === undefined ? undefined : integerIn(rawPercent, 'capacity %', 0, 100);
    const specialization = positional(context, 3);
    const settings = settingsFrom(context);
    const capacity = settings.capacity ?? capacityFor(percent, 0, DEFAULT_FULL_CAPACITY_CLAIMS);
    const body = {
      id,
      team,
      ...(specialization ? { capabilities: [specialization] } : {}),
      ...settings,
      capacity,
    };
    await checkTokenFolder(context);
    const client = await context.client();
    const { body: reply } = await client.request<RegisterAgentResult>('POST', '/v1/agents', { body });
    const path = await saveToken(context, reply.agent.id, reply.token);
    if (context.json) sayJson(context.io, reply);
    else if (!context.quiet) {
      const legacy = percent === undefined ? '' : ` (legacy ${percent}%)`;
      say(
        context.io,
        `REGISTERED: Agent ${reply.agent.id} in team ${reply.agent.team} with capacity ${capacity}${legacy}`,
      );
      say(context.io, `Agent token saved to ${path} (shown once: use --json to print it)`);
    }
    return ExitCode.Ok;
  },
};

const heartbeat: Command = {
  name: 'heartbeat',
  group: 'agents',
  usage: '[active|idle]',
  summary: "Report this agent's liveness (renews its leases)",
  async run(context) {
    atMost(context, 1);
    const status = positional(context, 0);
    if (status !== undefined && !(Object.values(ReportedStatus) as string[]).includes(status)) {
      throw new UsageError(`status must be one of ${Object.values(ReportedStatus).join(', ')}`);
    }
    const session = await context.agent();
    await session.client.request('POST', agentPath(session.agentId, 'heartbeat'), {
      body: status ? { status } : {},
    });
    if (context.json) sayJson(context.io, { agentId: session.agentId, accepted: true });
    else if (!context.quiet) say(context.io, `HEARTBEAT: ${session.agentId}${status ? ` (${status})` : ''}`);
    return ExitCode.Ok;
  },
};

const listAgents: Command = {
  name: 'list-agents',
  group: 'agents',
  usage: '[--team t] [--status s] [--limit n] [--cursor c] [--all]',
  summary: 'List agents (viewer or admin token)',
  options: { team: { type: 'string' }, status: { type: 'string' }, ...PAGE_OPTIONS },
  async run(context) {
    atMost(context, 0);
    const page = await readPages<AgentViewSchema>(context, await context.client(), '/v1/agents', {
      team: stringOption(context, 'team'),
      status: stringOption(context, 'status'),
    });
    if (context.json) sayJson(context.io, page);
    else for (const line of agentTable(page.items)) say(context.io, line);
    return ExitCode.Ok;
  },
};

const showAgent: Command = {
  name: 'agent',
  group: 'agents',
  usage: '[agent_id]',
  summary: 'Show one agent with health and active claims (default: this agent)',
  async run(context) {
    atMost(context, 1);
    const id = positional(context, 0) ?? (await context.config()).agentId;
    if (!id) throw new UsageError('an agent id is required');
    const { body } = await (await readerClient(context)).request<AgentViewSchema>('GET', agentPath(id));
    if (context.json) sayJson(context.io, body);
    else {
      const rows: [string, string][] = [
        ['id:', body.id],
        ['team:', body.team],
        ['status:', body.status],
        ['claims:', `${body.activeClaims} of ${body.capacity}`],
        ['capabilities:', body.capabilities.join(', ') || '-'],
        [
          'health:',
          `${body.health.score}${body.health.reasons.length ? ` (${body.health.reasons.join('; ')})` : ''}`,
        ],
        ['last heartbeat:', `${body.lastHeartbeatAt} (every ${body.heartbeatIntervalSec} s)`],
      ];
      for (const line of table(rows)) say(context.io, line);
    }
    return ExitCode.Ok;
  },
};

const updateAgent: Command = {
  name: 'update-agent',
  group: 'agents',
  usage: '[agent_id] [--capacity n] [--capabilities a,b] [--heartbeat-interval s]',
  summary: 'Change capacity, capabilities or heartbeat interval (the agent itself or admin)',
  options: SETTING_OPTIONS,
  async run(context) {
    atMost(context, 1);
    const id = positional(context, 0) ?? (await context.config()).agentId;
    if (!id) throw new UsageError('an agent id is required');
    const body = settingsFrom(context);
    if (Object.keys(body).length === 0) throw new UsageError('nothing to change');
    const client = await writerClient(context);
    const { body: agent } = await client.request<AgentViewSchema>('PATCH', agentPath(id), { body });
    if (context.json) sayJson(context.io, agent);
    else
      say(
        context.io,
        `UPDATED: ${agent.id} capacity ${agent.capacity}, capabilities ${agent.capabilities.join(',') || '-'}`,
      );
    return ExitCode.Ok;
  },
};

const issueToken: Command = {
  name: 'token',
  group: 'agents',
  usage: '<agent_id>',
  summary:
    "Issue a new agent token (admin; e.g. for imported agents) and save it; the agent's old tokens stop working",
  async run(context) {
    atMost(context, 1);
    const id = positional(context, 0);
    if (!id) throw new UsageError('an agent id is required');
    await checkTokenFolder(context);
    const { body } = await (await context.client()).request<AgentTokenIssued>(
      'POST',
      agentPath(id, 'token'),
      {
        body: {},
      },
    );
    const path = await saveToken(context, id, body.token);
    if (context.json) sayJson(context.io, { agentId: id, ...body });
    else say(context.io, `TOKEN: new token for ${id} saved to ${path} (use --json to print it)`);
    return ExitCode.Ok;
  },
};

const retire: Command = {
  name: 'retire',
  group: 'agents',
  usage: '[agent_id] [--mode drain|release]',
  summary: 'Retire an agent: drain lets its claims finish, release gives them back',
  options: { mode: { type: 'string' } },
  async run(context) {
    atMost(context, 1);
    const id = positional(context, 0) ?? (await context.config()).agentId;
    if (!id) throw new UsageError('an agent id is required');
    const mode = stringOption(context, 'mode') ?? RetireMode.Drain;
    if (!(Object.values(RetireMode) as string[]).includes(mode)) {
      throw new UsageError(`--mode must be one of ${Object.values(RetireMode).join(', ')}`);
    }
    const client = await writerClient(context);
    const { body } = await client.request<AgentViewSchema>('POST', agentPath(id, 'retire'), {
      body: { mode },
    });
    if (context.json) sayJson(context.io, body);
    else say(context.io, `RETIRING: ${body.id} is ${body.status} (${mode})`);
    return ExitCode.Ok;
  },
};

/** Agent commands. */
export const AGENT_COMMANDS: readonly Command[] = [
  register,
  heartbeat,
  listAgents,
  showAgent,
  updateAgent,
  issueToken,
  retire,
];
