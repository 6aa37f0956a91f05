/**
 * An MCP server that lets a model act as one agent of the service: register, claim, report
 * progress, complete, fail, release, list work, ask, and talk (send a message, read or wait on
 * its inbox, so it can ask a person on an item and wait for the answer). Each tool is one or two API calls made
 * with the same helpers as the CLI commands, so claim tokens are saved and found the same way.
 * The agent is the configured one (`--agent-id`, `COORD_AGENT_ID`) until `register` names another.
 */
import { randomUUID } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { ClaimView, RegisterAgentResult, WorkPage, WorkView } from '#app/schemas/views';
import { PRIORITIES, WORK_STATUSES } from '#core/work/status';
import { ApiError } from '../client';
import type { AgentSession, CommandContext } from '../command';
import { checkTokenFolder, saveToken } from '../commands/agents';
import { asHolder, claimById, saveClaim } from '../commands/holder';
import { requireBody, sendMessage, takeInbox } from '../commands/messages';
import { CommandFailure } from '../io';

const SERVER_NAME = 'coord';

/** The longest `read_inbox` may wait; MCP clients time tool calls out. */
const MAX_WAIT_SECONDS = 3600;

/** The agent the tools act as; `register` replaces it. */
class AgentBinding {
  private session: AgentSession | undefined;

  constructor(private readonly context: CommandContext) {}

  async current(): Promise<AgentSession> {
    this.session ??= await this.context.agent();
    return this.session;
  }

  use(session: AgentSession): void {
    this.session = session;
  }
}

const ok = (value: unknown): CallToolResult => ({
  content: [{ type: 'text', text: JSON.stringify(value, null, 2) }],
});

/** Tool failures are results with `isError`, so the model sees the API's code and message. */
const failure = (error: unknown): CallToolResult => {
  const details = error instanceof ApiError || error instanceof CommandFailure ? error.details : {};
  const suffix = Object.keys(details).length ? ` ${JSON.stringify(details)}` : '';
  const text =
    error instanceof ApiError
      ? `${error.code} (HTTP ${error.status}): ${error.message}${suffix}`
      : `${(error as Error).message}${suffix}`;
  return { isError: true, content: [{ type: 'text', text }] };
};

const guarded =
  <A>(run: (args: A) => Promise<unknown>) =>
  async (args: A): Promise<CallToolResult> => {
    try {
      return ok(await run(args));
    } catch (error) {
      return failure(error);
    }
  };

/** Shows a claim without its token: the server keeps tokens, the model only names work ids. */
const withoutToken = (reply: ClaimView) => ({ item: reply.item, leaseExpiresAt: reply.claim.leaseExpiresAt });

/** Builds the MCP server for one CLI context (its config, token store and clients). */
export const createMcpServer = (context: CommandContext, version: string): McpServer => {
  const server = new McpServer({ name: SERVER_NAME, version });
  const agent = new AgentBinding(context);

  server.registerTool(
    'register',
    {
      description:
        'Register an agent (needs the registration key or admin token the server was started with) and act as it from now on.',
      inputSchema: {
        agentId: z.string().describe('3..128 characters: letters, digits, _ . : -'),
        team: z.string(),
        capabilities: z.array(z.string()).optional(),
        capacity: z.number().int().min(1).max(100).optional().describe('items the agent may hold at once'),
      },
    },
    guarded(async ({ agentId, team, capabilities, capacity }) => {
      await checkTokenFolder(context);
      const { body } = await (await context.client()).request<RegisterAgentResult>('POST', '/v1/agents', {
        body: {
          id: agentId,
          team,
          ...(capabilities ? { capabilities } : {}),
          ...(capacity ? { capacity } : {}),
        },
      });
      await saveToken(context, agentId, body.token);
      agent.use({ agentId, client: await context.clientWith(body.token) });
      return body.agent;
    }),
  );

  server.registerTool(
    'claim_next',
    {
      description:
        'Claim the most urgent work item this agent may take; answers {item: null} when nothing fits.',
      inputSchema: {
        teams: z.array(z.string()).optional(),
        types: z.array(z.string()).optional(),
      },
    },
    guarded(async ({ teams, types }) => {
      const session = await agent.current();
      const reply = await session.client.request<ClaimView | undefined>('POST', '/v1/work/claim-next', {
        body: { agentId: session.agentId, ...(teams ? { teams } : {}), ...(types ? { types } : {}) },
      });
      if (reply.status === 204 || reply.body === undefined) return { item: null };
      await saveClaim(context, session, reply.body);
      return withoutToken(reply.body);
    }),
  );

  server.registerTool(
    'claim',
    {
      description:
        'Claim an existing work item by workId, or create one (type, title, team, priority, description) and claim it.',
      inputSchema: {
        workId: z.string().optional(),
        type: z.string().optional(),
        title: z.string().optional(),
        description: z.string().optional(),
        team: z.string().optional(),
        priority: z.enum(PRIORITIES as [string, ...string[]]).optional(),
      },
    },
    guarded(async ({ workId, type, title, description, team, priority }) => {
      const session = await agent.current();
      if (workId) return withoutToken(await claimById(context, session, workId));
      if (!type || !title || !team) throw new Error('give workId, or type, title and team to create an item');
      const key = randomUUID();
      const { body: item } = await session.client.request<WorkView>('POST', '/v1/work', {
        body: {
          type,
          title,
          team,
          ...(description ? { description } : {}),
          ...(priority ? { priority } : {}),
        },
        idempotencyKey: key,
      });
      try {
        return withoutToken(await claimById(context, session, item.id, key));
      } catch (error) {
        // Refused (4xx): the item is not ours, cancel it so no stray item is left behind.
        if (error instanceof ApiError && error.status < 500) {
          await session.client
            .request('POST', `/v1/work/${encodeURIComponent(item.id)}/cancel`, {
              body: { reason: `the MCP claim tool could not claim it for ${session.agentId}` },
            })
            .catch(() => undefined);
        }
        throw error;
      }
    }),
  );

  server.registerTool(
    'progress',
    {
      description: 'Report progress (0..100) on an item this agent holds; renews its lease.',
      inputSchema: { workId: z.string(), progress: z.number().min(0).max(100), note: z.string().optional() },
    },
    guarded(async ({ workId, progress, note }) =>
      asHolder(
        context,
        await agent.current(),
        workId,
        'progress',
        { progress, ...(note ? { note } : {}) },
        false,
      ),
    ),
  );

  server.registerTool(
    'complete',
    {
      description: 'Complete an item this agent holds, with an optional result (text or JSON object).',
      inputSchema: {
        workId: z.string(),
        result: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
      },
    },
    guarded(async ({ workId, result }) =>
      asHolder(
        context,
        await agent.current(),
        workId,
        'complete',
        result === undefined ? {} : { result },
        true,
      ),
    ),
  );

  server.registerTool(
    'fail',
    {
      description:
        'Report that an item this agent holds failed; retryable (default true) puts it back for another try.',
      inputSchema: { workId: z.string(), reason: z.string(), retryable: z.boolean().optional() },
    },
    guarded(async ({ workId, reason, retryable }) =>
      asHolder(
        context,
        await agent.current(),
        workId,
        'fail',
        { reason, ...(retryable === undefined ? {} : { retryable }) },
        true,
      ),
    ),
  );

  server.registerTool(
    'release',
    {
      description: 'Give back an item this agent holds; it becomes ready for others.',
      inputSchema: { workId: z.string() },
    },
    guarded(async ({ workId }) => asHolder(context, await agent.current(), workId, 'release', {}, true)),
  );

  server.registerTool(
    'list_work',
    {
      description: 'List work items, optionally by status, team or holder.',
      inputSchema: {
        status: z.enum(WORK_STATUSES as [string, ...string[]]).optional(),
        team: z.string().optional(),
        agentId: z.string().optional(),
        limit: z.number().int().min(1).max(200).optional(),
        cursor: z.string().optional(),
      },
    },
    guarded(async (query) => {
      const { client } = await agent.current();
      return (await client.request<WorkPage>('GET', '/v1/work', { query })).body;
    }),
  );

  server.registerTool(
    'ask',
    {
      description:
        'Ask a question about the live state of agents and work (answered by Claude or a heuristic).',
      inputSchema: { question: z.string() },
    },
    guarded(async ({ question }) => {
      const { client } = await agent.current();
      return (await client.request('POST', '/v1/ai/query', { body: { question } })).body;
    }),
  );

  server.registerTool(
    'send_message',
    {
      description:
        "Send a plain-text message (at most 8192 bytes of UTF-8) on a work item's thread (workId: the team and people watching it see it) or into one agent's inbox (agentId). mentions: agent ids that also get it in their inbox.",
      inputSchema: {
        workId: z.string().optional(),
        agentId: z.string().optional(),
        body: z.string(),
        mentions: z.array(z.string()).max(20).optional(),
      },
    },
    guarded(async ({ workId, agentId, body, mentions }) => {
      if ((workId === undefined) === (agentId === undefined))
        throw new Error('give either workId or agentId');
      const { client } = await agent.current();
      const target = workId === undefined ? { agentId: agentId as string } : { workId };
      return sendMessage(client, target, requireBody(body), mentions);
    }),
  );

  server.registerTool(
    'read_inbox',
    {
      description:
        "Read this agent's messages (oldest first) and mark them read. unread: only unread ones. waitSeconds: when none is unread, wait up to this long for one (answers {items: [], timedOut: true} if none came). peek: leave them unread.",
      inputSchema: {
        unread: z.boolean().optional(),
        waitSeconds: z.number().int().min(0).max(MAX_WAIT_SECONDS).optional(),
        peek: z.boolean().optional(),
      },
    },
    guarded(async ({ unread, waitSeconds, peek }) => {
      const { agentId, client } = await agent.current();
      const waitMs = waitSeconds ? waitSeconds * 1000 : undefined;
      const items = await takeInbox(context, client, agentId, {
        unread: unread === true,
        ...(waitMs === undefined ? {} : { waitMs }),
        peek: peek === true,
      });
      return waitMs !== undefined && items.length === 0 ? { items, timedOut: true } : { items };
    }),
  );

  return server;
};
