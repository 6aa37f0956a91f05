/**
 * `coord run`: makes any command an agent. It registers the agent if this machine has no
 * token for it, claims the most urgent item, runs the command with the item in its
 * environment while heartbeating (which renews the lease), and completes the item when the
 * command exits 0 or reports a retryable failure otherwise. With `--loop` it goes on until
 * interrupted; an interrupt is passed to the command and the item is released.
 */
import { spawn } from 'node:child_process';
import type { AgentViewSchema, ClaimView, RegisterAgentResult } from '#app/schemas/views';
import { requireAgentId, requireTeam } from '../args';
import { ApiError } from '../client';
import {
  type AgentSession,
  type Command,
  type CommandContext,
  integerIn,
  listOption,
  stringOption,
} from '../command';
import { CommandFailure, ExitCode, say, UsageError, warn } from '../io';
import { replayQuietly } from '../outbox';
import { printable } from '../text';
import { checkTokenFolder, saveToken } from './agents';
import { saveClaim, workPath } from './holder';

const DEFAULT_POLL_SECONDS = 5;
const DEFAULT_HEARTBEAT_SECONDS = 30;
const NOT_FOUND = 404;
const UNAUTHORIZED = 401;
const AGENT_EXISTS = 'agent_exists';
/** The wrapped command may end the claim itself (`coord complete $COORD_WORK_ID`); that is fine. */
const CLAIM_ALREADY_ENDED: ReadonlySet<string> = new Set(['stale_claim', 'not_claimable']);

interface Outcome {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** The command could not be started (not found, not executable): nothing ran. */
interface NotStarted {
  readonly error: NodeJS.ErrnoException;
}

/** Spawn errors that mean "found but cannot be executed" (a shell's 126); others are 127. */
const NOT_EXECUTABLE: ReadonlySet<string> = new Set(['EACCES', 'EPERM', 'ENOEXEC', 'EISDIR']);

/** The agent session, registering the agent first when this machine has no token for it. */
const ensureAgent = async (
  context: CommandContext,
): Promise<{ session: AgentSession; intervalSec: number }> => {
  const config = await context.config();
  if (!config.agentId) throw new UsageError('--agent-id is required (or COORD_AGENT_ID / AGENT_ID)');
  const state = await context.state();
  const saved = config.agentToken ? undefined : await state.loadAgent(config.agentId);
  const token = config.agentToken ?? saved?.token;
  if (token) {
    const session = { agentId: config.agentId, client: await context.clientWith(token) };
    try {
      const { body } = await session.client.request<AgentViewSchema>(
        'GET',
        `/v1/agents/${encodeURIComponent(config.agentId)}`,
      );
      return { session, intervalSec: body.heartbeatIntervalSec };
    } catch (error) {
      const gone = error instanceof ApiError && (error.status === NOT_FOUND || error.status === UNAUTHORIZED);
      if (!gone || config.agentToken) throw error;
    }
  }
  const rawTeam = stringOption(context, 'team') ?? config.team;
  if (!rawTeam)
    throw new UsageError(`agent ${config.agentId} has no token on this machine: pass --team to register it`);
  requireAgentId(config.agentId, '--agent-id');
  const team = requireTeam(rawTeam, '--team');
  if (!config.token)
    throw new UsageError('registering needs the registration key or admin token in COORD_TOKEN');
  const capabilities = listOption(context, 'capabilities');
  const capacity = stringOption(context, 'capacity');
  await checkTokenFolder(context);
  try {
    const { body } = await (await context.client()).request<RegisterAgentResult>('POST', '/v1/agents', {
      body: {
        id: config.agentId,
        team,
        ...(capabilities ? { capabilities } : {}),
        ...(capacity ? { capacity: integerIn(capacity, '--capacity', 1, 100) } : {}),
      },
    });
    await saveToken(context, config.agentId, body.token);
    if (!context.quiet) warn(context.io, `coord run: registered ${config.agentId} in team ${team}`);
    const session = { agentId: config.agentId, client: await context.clientWith(body.token) };
    return { session, intervalSec: body.agent.heartbeatIntervalSec };
  } catch (error) {
    if (error instanceof ApiError && error.code === AGENT_EXISTS) {
      throw new CommandFailure(
        `agent ${config.agentId} exists but this machine has no token for it: an admin can run \`coord token ${config.agentId}\``,
        ExitCode.Conflict,
      );
    }
    throw error;
  }
};

const runChild = (
  command: readonly string[],
  env: Record<string, string | undefined>,
  onStart: (stop: (signal: NodeJS.Signals) => void) => void,
): Promise<Outcome | NotStarted> =>
  new Promise((resolve) => {
    const child = spawn(command[0] as string, command.slice(1), {
      stdio: ['ignore', 'inherit', 'inherit'],
      env,
    });
    // 'error' without 'spawn' means the command never started; after 'spawn' only kill() fails.
    let started = false;
    child.once('spawn', () => {
      started = true;
    });
    child.once('error', (error) => {
      if (!started) resolve({ error });
    });
    child.once('exit', (exitCode, signal) => resolve({ exitCode, signal }));
    onStart((signal) => child.kill(signal));
  });

/** Gives back an item whose command never started, so the agent is free again at once. */
const releaseUnstarted = async (
  context: CommandContext,
  session: AgentSession,
  reply: ClaimView,
  command: string,
  failure: NotStarted,
): Promise<ExitCode> => {
  const id = reply.item.id;
  const code = failure.error.code ?? '';
  warn(context.io, `ERROR: cannot run ${command}: ${failure.error.message}`);
  try {
    await session.client.request('POST', workPath(id, 'release'), {
      body: { claimToken: reply.claim.token },
    });
    if (!context.quiet) say(context.io, `RELEASE: ${id} (the command did not start)`);
  } finally {
    await (await context.state()).forgetClaim(id);
  }
  return NOT_EXECUTABLE.has(code) ? ExitCode.CannotExecute : ExitCode.CommandNotFound;
};

/** Ends the claim as the command's exit says; tolerates a claim the command already ended. */
const finish = async (
  context: CommandContext,
  session: AgentSession,
  reply: ClaimView,
  outcome: Outcome,
  interrupted: boolean,
): Promise<void> => {
  const id = reply.item.id;
  const claimToken = reply.claim.token;
  const [action, body] = interrupted
    ? (['release', { claimToken }] as const)
    : outcome.exitCode === 0
      ? (['complete', { claimToken, result: { exitCode: 0 } }] as const)
      : ([
          'fail',
          {
            claimToken,
            reason: outcome.signal
              ? `command killed by ${outcome.signal}`
              : `command exited with status ${outcome.exitCode}`,
            retryable: true,
          },
        ] as const);
  try {
    await session.client.request('POST', workPath(id, action), { body });
    if (!context.quiet) say(context.io, `${action.toUpperCase()}: ${id} (${describe(outcome)})`);
  } catch (error) {
    if (!(error instanceof ApiError && CLAIM_ALREADY_ENDED.has(error.code))) throw error;
    if (!context.quiet) say(context.io, `DONE: ${id} (the command ended the claim itself)`);
  } finally {
    await (await context.state()).forgetClaim(id);
  }
};

const describe = (outcome: Outcome): string =>
  outcome.signal ? `signal ${outcome.signal}` : `exit status ${outcome.exitCode}`;

const run: Command = {
  name: 'run',
  group: 'runtime',
  usage: '--agent-id <id> [--team t] [--capabilities a,b] [--capacity n] [--loop] [--poll s] -- <command...>',
  summary:
    'Run a command as an agent: claim the next item, expose it as COORD_WORK_ID, heartbeat, complete or fail by exit status',
  takesRest: true,
  options: {
    team: { type: 'string' },
    capabilities: { type: 'string' },
    capacity: { type: 'string' },
    loop: { type: 'boolean' },
    poll: { type: 'string' },
    'claim-team': { type: 'string' },
    'claim-type': { type: 'string' },
  },
  async run(context) {
    if (context.rest.length === 0) throw new UsageError('the command to run goes after --');
    if (context.positionals.length > 0)
      throw new UsageError(`unexpected argument '${context.positionals[0]}' (put the command after --)`);
    const pollSec = integerIn(
      stringOption(context, 'poll') ?? String(DEFAULT_POLL_SECONDS),
      '--poll',
      1,
      3600,
    );
    const { session, intervalSec } = await ensureAgent(context);
    const config = await context.config();
    const teams = listOption(context, 'claim-team');
    const types = listOption(context, 'claim-type');
    let interrupted = false;
    let stopChild: ((signal: NodeJS.Signals) => void) | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      interrupted = true;
      stopChild?.(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let last: Outcome | undefined;
    const state = await context.state();
    try {
      for (let round = 0; !interrupted; round += 1) {
        if (round > 0) await replayQuietly(state, session.client, context.io);
        const claimed = await session.client.request<ClaimView | undefined>('POST', '/v1/work/claim-next', {
          body: { agentId: session.agentId, ...(teams ? { teams } : {}), ...(types ? { types } : {}) },
        });
        if (claimed.status === 204 || claimed.body === undefined) {
          if (!context.values.loop) {
            if (!context.quiet) say(context.io, 'NO WORK: nothing this agent may claim right now');
            return ExitCode.Ok;
          }
          await session.client.request(
            'POST',
            `/v1/agents/${encodeURIComponent(session.agentId)}/heartbeat`,
            {
              body: { status: 'idle' },
            },
          );
          await context.io.sleep(pollSec * 1000);
          continue;
        }
        const reply = claimed.body;
        await saveClaim(context, session, reply);
        if (!context.quiet) say(context.io, `CLAIMED: ${reply.item.id} ${printable(reply.item.title)}`);
        const heartbeat = setInterval(
          () => {
            // In the background: a report an outage kept goes out as soon as the service is back.
            void replayQuietly(state, session.client, context.io);
            session.client
              .request('POST', `/v1/agents/${encodeURIComponent(session.agentId)}/heartbeat`, {
                body: { status: 'active' },
              })
              .catch((error: Error) => warn(context.io, `coord run: heartbeat failed: ${error.message}`));
          },
          (intervalSec || DEFAULT_HEARTBEAT_SECONDS) * 1000,
        );
        let ran: Outcome | NotStarted;
        try {
          ran = await runChild(
            context.rest,
            {
              ...context.io.env,
              COORD_URL: config.url,
              COORD_AGENT_ID: session.agentId,
              AGENT_ID: session.agentId,
              COORD_AGENT_TOKEN: session.client.token,
              COORD_WORK_ID: reply.item.id,
              CURRENT_WORK_ITEM: reply.item.id,
              COORD_CLAIM_TOKEN: reply.claim.token,
              COORD_WORK_TYPE: reply.item.type,
              COORD_WORK_TITLE: reply.item.title,
              COORD_WORK_TEAM: reply.item.team,
            },
            (stop) => {
              stopChild = stop;
            },
          );
        } finally {
          clearInterval(heartbeat);
          stopChild = undefined;
        }
        if ('error' in ran)
          return await releaseUnstarted(context, session, reply, String(context.rest[0]), ran);
        last = ran;
        await finish(context, session, reply, last, interrupted);
        if (!context.values.loop) break;
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    return last === undefined || last.exitCode === 0 ? ExitCode.Ok : ExitCode.Error;
  },
};

/** Agent runtime commands. */
export const RUNTIME_COMMANDS: readonly Command[] = [run];
