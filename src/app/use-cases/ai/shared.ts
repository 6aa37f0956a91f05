/**
 * What every AI use case shares: the bounded read of the live state, the model call settings,
 * the check of the model's structured output, and the one place a model failure turns into the
 * heuristic's answer with its `fallbackReason`.
 */
import type { TSchema } from '@sinclair/typebox';
import { compileSchema } from '#app/validators';
import { agentHealth } from '#core/agents/health';
import { agentStatus } from '#core/agents/liveness';
import {
  type AiCallSettings,
  AiFallbackError,
  type AiModel,
  type AiReply,
  FallbackReason,
} from '#core/ai/model';
import type { Snapshot } from '#core/ai/snapshot';
import type { Agent, WorkItem } from '#core/model';
import type { Ports } from '#core/ports';
import type { Settings } from '#core/settings';
import { WorkStatus } from '#core/work/status';
import type { SettingsDeps } from '../../settings';

/** The ports an AI use case reads with, plus the model. */
export type AiDeps = Pick<Ports, 'clock' | 'agents' | 'work' | 'escalations'> &
  SettingsDeps & {
    readonly ai: AiModel;
  };

/** Rows read per list (one page each); a list with more is reported as partial. */
const PAGE = 200;
/** Agent pages read at most. */
const AGENT_PAGES = 5;
const WORK_STATUSES_READ = [
  WorkStatus.Blocked,
  WorkStatus.Ready,
  WorkStatus.Claimed,
  WorkStatus.InProgress,
  WorkStatus.Escalated,
] as const;

/** Every agent, up to `AGENT_PAGES` pages; `truncated` when more remain. */
export const readAgents = async (
  deps: Pick<Ports, 'agents'>,
): Promise<{ agents: Agent[]; truncated: boolean }> => {
  const agents: Agent[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < AGENT_PAGES; page += 1) {
    const read = await deps.agents.list({ limit: PAGE, ...(cursor === undefined ? {} : { cursor }) });
    agents.push(...read.items);
    cursor = read.nextCursor;
    if (cursor === undefined) return { agents, truncated: false };
  }
  return { agents, truncated: true };
};

/**
 * The live state with bounded reads: agents (with derived status and health), open and escalated
 * work (one page per status), open escalations (one page).
 */
export const readSnapshot = async (deps: AiDeps, settings: Settings): Promise<Snapshot> => {
  const now = deps.clock.now();
  const [{ agents, truncated }, workPages, escalations] = await Promise.all([
    readAgents(deps),
    Promise.all(WORK_STATUSES_READ.map((status) => deps.work.list({ status, limit: PAGE }))),
    deps.escalations.list({ status: 'open', limit: PAGE }),
  ]);
  const work: WorkItem[] = workPages.flatMap((page) => page.items);
  return {
    now,
    agents: agents.map((agent) => ({
      agent,
      status: agentStatus(agent, now, settings.heartbeatTimeoutMultiple),
      health: agentHealth(agent, now, settings.heartbeatTimeoutMultiple),
    })),
    work,
    escalations: escalations.items.filter((e) => e.status === 'open'),
    truncated:
      truncated ||
      workPages.some((page) => page.nextCursor !== undefined) ||
      escalations.nextCursor !== undefined,
  };
};

/** The model call settings from the runtime settings. */
export const callSettings = (settings: Settings): AiCallSettings => ({
  model: settings.ai.model,
  maxTokens: settings.ai.maxTokens,
  timeoutMs: settings.ai.timeoutMs,
  maxRetries: settings.ai.maxRetries,
  maxRequestsPerMinute: settings.ai.maxRequestsPerMinute,
  dailyTokenBudget: settings.ai.dailyTokenBudget,
});

/** Where an answer came from. */
export type Provenance = { source: 'claude' } | { source: 'heuristic'; fallbackReason: FallbackReason };

/**
 * Runs `withModel` when AI is enabled; when it is off, or the model cannot be used or answers
 * badly, answers `heuristic()` with the reason. AI is advisory: nothing about the model (its
 * errors, the guard's store) can fail the request.
 */
export const claudeOrHeuristic = async <T>(
  settings: Settings,
  withModel: () => Promise<T>,
  heuristic: () => T,
): Promise<T & Provenance> => {
  if (!settings.ai.enabled)
    return { ...heuristic(), source: 'heuristic', fallbackReason: FallbackReason.NoKey };
  try {
    return { ...(await withModel()), source: 'claude' };
  } catch (error) {
    const fallbackReason = error instanceof AiFallbackError ? error.reason : FallbackReason.Error;
    return { ...heuristic(), source: 'heuristic', fallbackReason };
  }
};

/** A check of the model's answer to one tool, compiled when the use case's module loads. */
export type ToolCheck = (input: unknown) => boolean;

/** The check of a tool's input against `schema`. */
export const toolCheck = (schema: TSchema): ToolCheck => compileSchema('tool', schema);

/**
 * The input of the tool call `name` in `reply`, checked by `check`.
 * @throws AiFallbackError `invalid_output` when the model did not call it or the input does not fit.
 */
export const toolInput = <T>(reply: AiReply, name: string, check: ToolCheck): T => {
  const call = reply.content.find((part) => part.type === 'tool_use' && part.name === name);
  if (call?.type !== 'tool_use' || !check(call.input)) {
    throw new AiFallbackError(
      FallbackReason.InvalidOutput,
      `The model's ${name} answer does not fit its schema.`,
    );
  }
  return call.input as T;
};

/** @throws AiFallbackError `invalid_output` with `message` unless `ok`. */
export const ensureOutput = (ok: boolean, message: string): void => {
  if (!ok) throw new AiFallbackError(FallbackReason.InvalidOutput, message);
};
