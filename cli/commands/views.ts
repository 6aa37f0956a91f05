/**
 * Read-only views: the legacy `dashboard` becomes teams, agents and open work from the API
 * (in-progress work is shown too, which the legacy dashboard hid).
 */
import { MAX_TEAMS_PAGE } from '#app/schemas/admin';
import type { AgentPage, HealthView, TeamPage, WorkPage } from '#app/schemas/views';
import { WorkStatus } from '#core/work/status';
import { ApiError, allAnswered } from '../client';
import { atMost, type Command, followPages, PAGE_OPTIONS, readerClient, readPages } from '../command';
import { agentTable, teamTable, workTable } from '../format';
import { ExitCode, say, sayJson, table, warn } from '../io';

const FORBIDDEN = 403;

const dashboard: Command = {
  name: 'dashboard',
  aliases: ['dashboard-fast'],
  group: 'views',
  usage: '',
  summary: 'Teams with forecasts, agents, and open (claimed and in-progress) work',
  async run(context) {
    atMost(context, 0);
    const client = await readerClient(context);
    // Every team, a full page at a time (the API answers 20 a page unless asked for more).
    const { items: teams } = await followPages<TeamPage['items'][number]>(client, '/v1/teams', {
      query: { limit: MAX_TEAMS_PAGE },
      all: true,
    });
    let agents: AgentPage['items'] | undefined;
    try {
      agents = (await client.request<AgentPage>('GET', '/v1/agents', { query: { limit: 200 } })).body.items;
    } catch (error) {
      // Agent tokens may read teams and work but not the agent list; show what is visible.
      if (!(error instanceof ApiError && error.status === FORBIDDEN)) throw error;
    }
    const open = await allAnswered(
      [WorkStatus.Claimed, WorkStatus.InProgress].map(
        async (status) =>
          (await client.request<WorkPage>('GET', '/v1/work', { query: { status, limit: 200 } })).body.items,
      ),
    );
    const work = open.flat();
    if (context.json) {
      sayJson(context.io, { teams, ...(agents ? { agents } : {}), work });
      return ExitCode.Ok;
    }
    say(context.io, `COORDINATION DASHBOARD (${client.baseUrl})`);
    say(context.io, `Teams (${teams.length}):`);
    for (const line of teamTable(teams)) say(context.io, `  ${line}`);
    say(context.io, agents ? `Agents (${agents.length}):` : 'Agents: not visible with this token');
    for (const line of agents ? agentTable(agents) : []) say(context.io, `  ${line}`);
    const counts = open.map((items) => items.length);
    say(context.io, `Open work (claimed ${counts[0]}, in progress ${counts[1]}):`);
    for (const line of workTable(work)) say(context.io, `  ${line}`);
    return ExitCode.Ok;
  },
};

const teams: Command = {
  name: 'teams',
  group: 'views',
  usage: '[--limit n] [--cursor c] [--all]',
  summary: 'Per team: agents and work by status, forecast (20 teams a page; --all for every team)',
  options: PAGE_OPTIONS,
  async run(context) {
    atMost(context, 0);
    const page = await readPages<TeamPage['items'][number]>(
      context,
      await readerClient(context),
      '/v1/teams',
      {},
      MAX_TEAMS_PAGE,
    );
    if (context.json) sayJson(context.io, page);
    else {
      for (const line of teamTable(page.items)) say(context.io, line);
      if (page.nextCursor) warn(context.io, `more teams: --cursor ${page.nextCursor} (or --all)`);
    }
    return ExitCode.Ok;
  },
};

const flatten = (value: unknown, prefix = ''): [string, string][] => {
  if (typeof value !== 'object' || value === null) return [[prefix || 'value', String(value)]];
  return Object.entries(value).flatMap(([key, inner]) =>
    typeof inner === 'object' && inner !== null && !Array.isArray(inner)
      ? flatten(inner, prefix ? `${prefix}.${key}` : key)
      : [[prefix ? `${prefix}.${key}` : key, JSON.stringify(inner)] as [string, string]],
  );
};

const metrics: Command = {
  name: 'metrics',
  group: 'views',
  usage: '',
  summary: 'Throughput, latency percentiles, queue depth and conflicts',
  async run(context) {
    atMost(context, 0);
    const { body } = await (await readerClient(context)).request<unknown>('GET', '/v1/metrics/summary');
    if (context.json) sayJson(context.io, body);
    else for (const line of table(flatten(body))) say(context.io, line);
    return ExitCode.Ok;
  },
};

const health: Command = {
  name: 'health',
  group: 'views',
  usage: '',
  summary: 'Service health (no token needed); exit 1 when it is unavailable',
  async run(context) {
    atMost(context, 0);
    const client = await context.client();
    let body: HealthView;
    try {
      body = (await client.request<HealthView>('GET', '/v1/health', { token: null, retries: 0 })).body;
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 503)) throw error;
      body = { status: 'unavailable', version: '?', checks: {}, ...(error.body as object | undefined) };
    }
    if (context.json) sayJson(context.io, body);
    else {
      say(context.io, `${body.status.toUpperCase()}: ${client.baseUrl} version ${body.version}`);
      for (const [name, check] of Object.entries(body.checks)) {
        say(context.io, `  ${name}: ${check.status}${check.message ? ` (${check.message})` : ''}`);
      }
    }
    return body.status === 'ok' ? ExitCode.Ok : ExitCode.Error;
  },
};

/** View commands. */
export const VIEW_COMMANDS: readonly Command[] = [dashboard, teams, metrics, health];
