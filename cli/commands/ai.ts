/**
 * The legacy `claude-*` commands, mapped to the service's AI endpoints. Every endpoint answers
 * even without Claude (`source: heuristic`), so no command needs a canned fallback of its own;
 * `enhanced` still writes the legacy fallback file when the service cannot be reached.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { allAnswered } from '../client';
import {
  type AgentSession,
  atMost,
  type Command,
  type CommandContext,
  integerIn,
  positional,
  readerClient,
} from '../command';
import { ExitCode, say, sayJson, table, UsageError, warn } from '../io';
import { claimNextAndPrint } from './work';

interface Recommendations {
  source: string;
  fallbackReason?: string;
  recommendations: { agentId: string; workId: string; score: number; reason: string }[];
}

interface QueryAnswer {
  source: string;
  answer: string;
  facts?: unknown;
}

interface AiHealth {
  source: string;
  fallbackReason?: string;
  status: string;
  findings: unknown[];
  alerts: unknown[];
}

const text = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/** Where an answer came from, and why Claude was not used when it was not: `heuristic, no_key`. */
const sourceOf = (reply: { source: string; fallbackReason?: string }): string =>
  reply.fallbackReason ? `${reply.source}, ${reply.fallbackReason}` : reply.source;

const recommend = async (context: CommandContext, body: Record<string, string>) => {
  const client = await readerClient(context);
  return (await client.request<Recommendations>('POST', '/v1/ai/recommendations', { body })).body;
};

const printRecommendations = (context: CommandContext, reply: Recommendations): void => {
  if (context.json) {
    sayJson(context.io, reply);
    return;
  }
  say(context.io, `RECOMMENDATIONS (${sourceOf(reply)}): ${reply.recommendations.length}`);
  const rows = reply.recommendations.map((r) => [r.agentId, r.workId, String(r.score), r.reason]);
  for (const line of table([['AGENT', 'WORK', 'SCORE', 'REASON'], ...rows])) say(context.io, `  ${line}`);
};

const priorities: Command = {
  name: 'claude-priorities',
  aliases: ['claude-analyze-priorities'],
  group: 'ai',
  usage: '',
  summary: 'Which agent should take which item next (POST /v1/ai/recommendations)',
  async run(context) {
    atMost(context, 0);
    printRecommendations(context, await recommend(context, {}));
    return ExitCode.Ok;
  },
};

const optimize: Command = {
  name: 'claude-optimize',
  aliases: ['claude-optimize-assignments'],
  group: 'ai',
  usage: '[team]',
  summary: 'Assignment recommendations; with a team, only items of agents in that team',
  async run(context) {
    atMost(context, 1);
    const team = positional(context, 0);
    const reply = await recommend(context, {});
    if (team && team !== 'all_teams') {
      const client = await readerClient(context);
      const members = await client.request<{ items: { id: string }[] }>('GET', '/v1/agents', {
        query: { team, limit: 200 },
      });
      const ids = new Set(members.body.items.map((agent) => agent.id));
      reply.recommendations = reply.recommendations.filter((r) => ids.has(r.agentId));
    }
    printRecommendations(context, reply);
    return ExitCode.Ok;
  },
};

const printHealth = (context: CommandContext, reply: AiHealth): void => {
  say(context.io, `HEALTH (${sourceOf(reply)}): ${reply.status}`);
  for (const finding of reply.findings) say(context.io, `  finding: ${text(finding)}`);
  for (const alert of reply.alerts) say(context.io, `  alert: ${text(alert)}`);
};

const health: Command = {
  name: 'claude-health',
  aliases: ['claude-health-analysis'],
  group: 'ai',
  usage: '',
  summary: 'System health findings and alerts (GET /v1/ai/health)',
  async run(context) {
    atMost(context, 0);
    const { body } = await (await readerClient(context)).request<AiHealth>('GET', '/v1/ai/health');
    if (context.json) sayJson(context.io, body);
    else printHealth(context, body);
    return ExitCode.Ok;
  },
};

const team: Command = {
  name: 'claude-team',
  aliases: ['claude-team-analysis'],
  group: 'ai',
  usage: '[team]',
  summary: 'Per agent and team performance with suggestions (GET /v1/ai/performance)',
  async run(context) {
    atMost(context, 1);
    const name = positional(context, 0);
    const { body } = await (await readerClient(context)).request<Record<string, unknown>>(
      'GET',
      '/v1/ai/performance',
    );
    const teams = Array.isArray(body.teams) ? (body.teams as { team?: string }[]) : undefined;
    const shown = name && teams ? { ...body, teams: teams.filter((entry) => entry.team === name) } : body;
    if (context.json) sayJson(context.io, shown);
    else for (const [key, value] of Object.entries(shown)) say(context.io, `${key}: ${text(value)}`);
    return ExitCode.Ok;
  },
};

const intelligence: Command = {
  name: 'claude-dashboard',
  aliases: ['intelligence'],
  group: 'ai',
  usage: '',
  summary: 'AI health and recommendations in one view',
  async run(context) {
    atMost(context, 0);
    const client = await readerClient(context);
    const [healthReply, recommendations] = await allAnswered([
      client.request<AiHealth>('GET', '/v1/ai/health'),
      recommend(context, {}),
    ]);
    if (context.json) sayJson(context.io, { health: healthReply.body, recommendations });
    else {
      printHealth(context, healthReply.body);
      printRecommendations(context, recommendations);
    }
    return ExitCode.Ok;
  },
};

const query = async (context: CommandContext, question: string): Promise<QueryAnswer> => {
  const client = await readerClient(context);
  return (await client.request<QueryAnswer>('POST', '/v1/ai/query', { body: { question } })).body;
};

const printAnswer = (context: CommandContext, answer: QueryAnswer): void => {
  if (context.json) sayJson(context.io, answer);
  else say(context.io, answer.answer);
};

const ask: Command = {
  name: 'ask',
  group: 'ai',
  usage: '<question...>',
  summary: 'Ask about the live state (POST /v1/ai/query)',
  async run(context) {
    const question = context.positionals.join(' ').trim();
    if (!question) throw new UsageError('a question is required');
    printAnswer(context, await query(context, question));
    return ExitCode.Ok;
  },
};

const pipe: Command = {
  name: 'claude-pipe',
  aliases: ['pipe'],
  group: 'ai',
  usage: '[type=general]',
  summary: 'Ask about standard input (priorities, bottlenecks, recommendations, general)',
  async run(context) {
    atMost(context, 1);
    const kind = positional(context, 0) ?? 'general';
    const input = (await context.io.readStdin()).trim();
    printAnswer(context, await query(context, `${kind} analysis of: ${input}`));
    return ExitCode.Ok;
  },
};

const stream: Command = {
  name: 'claude-stream',
  aliases: ['stream'],
  group: 'ai',
  usage: '<focus> [seconds]',
  summary: 'Ask about a focus once (streamed answers are the WebSocket `ask`); seconds is ignored',
  async run(context) {
    atMost(context, 2);
    const focus = positional(context, 0);
    if (!focus) throw new UsageError('a focus is required');
    printAnswer(context, await query(context, focus));
    return ExitCode.Ok;
  },
};

const RETRY_PAUSE_MS = 2000;

const enhanced: Command = {
  name: 'claude-enhanced',
  aliases: ['enhanced'],
  group: 'ai',
  usage: '<type> <input_file> <output_file> [retries=3]',
  summary: 'Ask about a file, write the answer as JSON; after failed retries write the legacy fallback file',
  async run(context) {
    atMost(context, 4);
    const [kind, input, output] = [positional(context, 0), positional(context, 1), positional(context, 2)];
    if (!kind || !input || !output) throw new UsageError('type, input file and output file are required');
    const retries = integerIn(positional(context, 3) ?? '3', 'retries', 1, 10);
    const question = `${kind} analysis of: ${await readFile(input, 'utf8')}`;
    let lastError: unknown;
    for (let attempt = 1; attempt <= retries; attempt += 1) {
      try {
        const answer = await query(context, question);
        await writeFile(output, `${JSON.stringify(answer, null, 2)}\n`);
        if (!context.quiet) say(context.io, `ENHANCED: ${kind} analysis written to ${output}`);
        return ExitCode.Ok;
      } catch (error) {
        lastError = error;
        if (attempt < retries) await context.io.sleep(RETRY_PAUSE_MS);
      }
    }
    const fallback = {
      status: 'fallback',
      message: `analysis unavailable: ${(lastError as Error).message}`,
      timestamp: context.io.now().toISOString(),
    };
    await writeFile(output, `${JSON.stringify(fallback, null, 2)}\n`);
    warn(context.io, `ERROR: ${fallback.message}; fallback written to ${output}`);
    return ExitCode.Error;
  },
};

const claimIntelligent: Command = {
  name: 'claim-intelligent',
  aliases: ['claim-ai'],
  group: 'ai',
  usage: '[work_type] [description] [priority] [team]',
  summary: 'Print the top recommendation for this agent, then claim the most urgent item it may take',
  async run(context) {
    atMost(context, 4);
    const session: AgentSession = await context.agent();
    const reply = await recommend(context, { agentId: session.agentId });
    const top = reply.recommendations.find((r) => r.agentId === session.agentId) ?? reply.recommendations[0];
    if (!context.json && !context.quiet) {
      say(
        context.io,
        top ? `ADVICE (${reply.source}): ${top.workId} - ${top.reason}` : `ADVICE (${reply.source}): none`,
      );
    }
    if (positional(context, 1) || positional(context, 2)) {
      warn(
        context.io,
        'coord: the description and priority are not used: claim-intelligent claims an existing item',
      );
    }
    const type = positional(context, 0);
    const teamName = positional(context, 3);
    return claimNextAndPrint(context, {
      agentId: session.agentId,
      ...(type ? { types: [type] } : {}),
      ...(teamName ? { teams: [teamName] } : {}),
    });
  },
};

/** AI commands. */
export const AI_COMMANDS: readonly Command[] = [
  priorities,
  optimize,
  health,
  team,
  intelligence,
  ask,
  pipe,
  stream,
  enhanced,
  claimIntelligent,
];
