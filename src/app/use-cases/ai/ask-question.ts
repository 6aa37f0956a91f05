import { type Fact, heuristicAnswer } from '#core/ai/answer';
import {
  AiFallbackError,
  type AiMessage,
  type AiTool,
  type AiToolResult,
  FallbackReason,
  textOf,
} from '#core/ai/model';
import { DATA_RULES, quoteData } from '#core/ai/quote';
import { type Snapshot, teamView } from '#core/ai/snapshot';
import { READ_TOOLS, runTool, type ToolAnswer } from '#core/ai/tools';
import type { JsonObject } from '#core/model';
import type { Ports } from '#core/ports';
import { Role } from '#core/roles';
import type { Settings } from '#core/settings';
import type { RequestContext } from '../../context';
import type { QueryReply } from '../../schemas/ai';
import { currentSettings } from '../../settings';
import { type AiDeps, callSettings, claudeOrHeuristic, readSnapshot } from './shared';

/** What answering a question reads: the live state and the audit log. */
export type AskDeps = AiDeps & Pick<Ports, 'audit'>;

/** Model turns at most (tool calls, then the answer). */
const MAX_TURNS = 5;
/** Audit events one tool call returns at most. */
const AUDIT_ROWS = 20;

const AUDIT_TOOL: AiTool = {
  name: 'recent_audit',
  description: 'The newest audit events (who did what), optionally about one work item or agent.',
  inputSchema: {
    type: 'object',
    properties: { entityId: { type: 'string' }, agentId: { type: 'string' } },
    additionalProperties: false,
  },
};

/** The tools of a caller: the audit log only for those who may read it (not agents). */
const toolsFor = (ctx: RequestContext): readonly AiTool[] =>
  ctx.principal.role === Role.Agent ? READ_TOOLS : [...READ_TOOLS, AUDIT_TOOL];

/**
 * The part of the live state the caller may see: all of it for viewers and admins; for an agent,
 * only its own team's agents, work and escalations (read from its record, not from anything it
 * sent), so no tool and no heuristic answer can tell it about another team.
 */
const visibleTo = async (deps: AskDeps, ctx: RequestContext, snapshot: Snapshot): Promise<Snapshot> => {
  const { principal } = ctx;
  if (principal.role !== Role.Agent) return snapshot;
  const self = principal.agentId === undefined ? undefined : await deps.agents.get(principal.agentId);
  return teamView(snapshot, self?.team);
};

const SYSTEM = `${DATA_RULES}
Task: answer the operator's question (given as quoted data) about the live state of the service, using only the read-only tools. Call the tools you need, then answer in a few plain sentences that cite ids and numbers. If the data does not tell, say so.`;

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

const runAudit = async (deps: AskDeps, input: JsonObject): Promise<ToolAnswer> => {
  const entityId = str(input.entityId);
  const agentId = str(input.agentId);
  const page = await deps.audit.list({
    limit: AUDIT_ROWS,
    ...(entityId ? { entityId } : {}),
    ...(agentId ? { agentId } : {}),
  });
  const rows = page.items.map((e) => ({
    at: e.at,
    action: e.action,
    entityId: e.entityId,
    actor: `${e.actor.type}:${e.actor.id}`,
    ...(e.agentId ? { agentId: e.agentId } : {}),
  }));
  return { data: rows, summary: `${rows.length} recent audit events` };
};

const callTool = async (
  deps: AskDeps,
  tools: readonly AiTool[],
  snapshot: Snapshot,
  name: string,
  input: unknown,
): Promise<ToolAnswer> =>
  name === AUDIT_TOOL.name && tools.includes(AUDIT_TOOL)
    ? runAudit(deps, typeof input === 'object' && input !== null ? (input as JsonObject) : {})
    : runTool(snapshot, name, input);

const askModel = async (
  deps: AskDeps,
  tools: readonly AiTool[],
  settings: Settings,
  snapshot: Snapshot,
  question: string,
  onDelta?: (text: string) => void,
): Promise<{ answer: string; facts: Fact[] }> => {
  const facts: Fact[] = [];
  const messages: AiMessage[] = [
    { role: 'user', content: `${quoteData('question', question)}\nAnswer the question above.` },
  ];
  for (let turn = 0; turn < MAX_TURNS; turn += 1) {
    const reply = await deps.ai.complete(
      { purpose: 'query', system: SYSTEM, messages, tools, ...(onDelta ? { onText: onDelta } : {}) },
      callSettings(settings),
    );
    const calls = reply.content.filter((part) => part.type === 'tool_use');
    if (calls.length === 0) return { answer: textOf(reply).trim(), facts };
    const results: AiToolResult[] = [];
    for (const call of calls) {
      const answer = await callTool(deps, tools, snapshot, call.name, call.input);
      const input = typeof call.input === 'object' && call.input !== null ? (call.input as JsonObject) : {};
      facts.push({ tool: call.name, input, summary: answer.summary });
      results.push({ type: 'tool_result', toolUseId: call.id, content: JSON.stringify(answer.data) });
    }
    messages.push({ role: 'assistant', content: reply.content }, { role: 'user', content: results });
  }
  throw new AiFallbackError(FallbackReason.Error, `The model did not answer within ${MAX_TURNS} turns.`);
};

/**
 * `POST /v1/ai/query` and the WebSocket `ask`: answer a question about the live state.
 * 1. read the live state (bounded), only the caller's team of it when the caller is an agent;
 * 2. let Claude call the read-only tools (agents, work, team stats, metrics, escalations, and the
 *    audit log for callers who may read it, not agents) for up to five turns, streaming its text through `onDelta`; the facts are the tool calls it made;
 * 3. when Claude cannot be used, the heuristic answers the common questions from the same tools
 *    (and streams its answer through `onDelta` in one piece).
 * The question reaches the model as quoted data; no tool can change anything.
 */
export const askQuestion = async (
  deps: AskDeps,
  ctx: RequestContext,
  question: string,
  onDelta?: (text: string) => void,
): Promise<QueryReply> => {
  const settings = await currentSettings(deps);
  const snapshot = await visibleTo(deps, ctx, await readSnapshot(deps, settings));
  let streamed = false;
  const forward = onDelta
    ? (text: string) => {
        streamed = true;
        onDelta(text);
      }
    : undefined;
  const reply = await claudeOrHeuristic(
    settings,
    () => askModel(deps, toolsFor(ctx), settings, snapshot, question, forward),
    () => {
      const { answer, facts } = heuristicAnswer(snapshot, question);
      return { answer, facts: [...facts] };
    },
  );
  if (onDelta && reply.source === 'heuristic') {
    // A model answer cut off mid-stream is replaced: say so before the heuristic's answer.
    onDelta(
      streamed ? `\n\n[Claude stopped answering; heuristic answer follows]\n${reply.answer}` : reply.answer,
    );
  }
  return reply;
};
