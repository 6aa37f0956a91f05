import { outcomesByAgent, type PerformanceReport, performanceReport } from '#core/ai/performance';
import { DATA_RULES, quoteData } from '#core/ai/quote';
import type { AuditEvent } from '#core/model';
import type { Ports } from '#core/ports';
import type { Settings } from '#core/settings';
import type { RequestContext } from '../../context';
import { ModelSuggestions, type PerformanceQuery, type PerformanceReply } from '../../schemas/ai';
import { currentSettings } from '../../settings';
import { type AiDeps, callSettings, claudeOrHeuristic, readAgents, toolCheck, toolInput } from './shared';

/** What the analysis reads: agents and the audit log. */
export type PerformanceDeps = AiDeps & Pick<Ports, 'audit'>;

const WINDOW_MS: Readonly<Record<NonNullable<PerformanceQuery['window']>, number>> = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
};
/** Audit pages read per window at most (200 events each). */
const AUDIT_PAGES = 10;
const CHECK = toolCheck(ModelSuggestions);
const TOOL = 'submit_suggestions';

const SYSTEM = `${DATA_RULES}
Task: from the per-agent and per-team figures (given as quoted data), suggest up to five concrete actions for the operators: rebalancing, capacity, estimates, agents to look at. Each suggestion names the agent or team and the figure behind it. Answer only by calling ${TOOL}.`;

const readWindow = async (
  deps: Pick<Ports, 'audit'>,
  since: string,
  until: string,
): Promise<{ events: AuditEvent[]; truncated: boolean }> => {
  const events: AuditEvent[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < AUDIT_PAGES; page += 1) {
    const read = await deps.audit.list({
      since,
      until,
      limit: 200,
      ...(cursor === undefined ? {} : { cursor }),
    });
    events.push(...read.items);
    cursor = read.nextCursor;
    if (cursor === undefined) return { events, truncated: false };
  }
  return { events, truncated: true };
};

const askModel = async (deps: AiDeps, settings: Settings, report: PerformanceReport) => {
  const reply = await deps.ai.complete(
    {
      purpose: 'performance',
      system: SYSTEM,
      messages: [
        {
          role: 'user',
          content: `${quoteData('figures', { agents: report.agents, teams: report.teams })}\nSuggest actions.`,
        },
      ],
      tools: [
        {
          name: TOOL,
          description: 'Submit the suggestions, most important first.',
          inputSchema: ModelSuggestions as unknown as Record<string, unknown>,
        },
      ],
      forceTool: TOOL,
    },
    callSettings(settings),
  );
  return { suggestions: toolInput<ModelSuggestions>(reply, TOOL, CHECK).suggestions };
};

/**
 * `GET /v1/ai/performance`: per agent and per team over a window (default 24 h) against the one
 * before: throughput, failure and lease-expiry rates (from the audit log, bounded reads), estimate
 * accuracy (from the agents' counters), and suggestions from Claude, or from the heuristic.
 */
export const analyzePerformance = async (
  deps: PerformanceDeps,
  _ctx: RequestContext,
  query: PerformanceQuery,
): Promise<PerformanceReply> => {
  const window = query.window ?? '24h';
  const span = WINDOW_MS[window];
  const to = deps.clock.now();
  const from = new Date(to.getTime() - span);
  const before = new Date(from.getTime() - span);
  const [settings, { agents, truncated }, current, previous] = await Promise.all([
    currentSettings(deps),
    readAgents(deps),
    readWindow(deps, from.toISOString(), to.toISOString()),
    readWindow(deps, before.toISOString(), from.toISOString()),
  ]);
  const report = performanceReport(agents, outcomesByAgent(current.events), outcomesByAgent(previous.events));
  const figures = {
    window,
    from: from.toISOString(),
    to: to.toISOString(),
    agents: [...report.agents],
    teams: [...report.teams],
    partial: truncated || current.truncated || previous.truncated,
  };
  const answer = await claudeOrHeuristic(
    settings,
    () => askModel(deps, settings, report),
    () => ({ suggestions: [...report.suggestions] }),
  );
  return { ...figures, ...answer };
};
