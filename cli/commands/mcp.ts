/**
 * `coord mcp`: the MCP server over stdio (see `cli/mcp/server.ts`). It runs until the client
 * closes standard input; logs go to stderr because stdout carries the protocol.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { atMost, type Command } from '../command';
import { ExitCode, warn } from '../io';
import { answerMalformedLines } from '../mcp/malformed';
import { createMcpServer } from '../mcp/server';
import { replayQuietly } from '../outbox';

const VERSION = '0.1.0';

/** How often the server sends what its outbox holds (reports an outage kept), in the background. */
const OUTBOX_REPLAY_MS = 15_000;

const mcp: Command = {
  name: 'mcp',
  group: 'runtime',
  usage: '[--agent-id id]',
  summary:
    'MCP server over stdio: tools register, claim_next, claim, progress, complete, fail, release, list_work, ask, send_message, read_inbox',
  async run(context) {
    atMost(context, 0);
    const server = createMcpServer(context, VERSION);
    const transport = new StdioServerTransport();
    answerMalformedLines(transport, (line) => warn(context.io, line));
    const closed = new Promise<void>((resolve) => {
      transport.onclose = resolve;
      process.stdin.once('end', () => {
        void transport.close();
      });
    });
    await server.connect(transport);
    warn(context.io, `coord mcp: serving ${(await context.config()).url} over stdio`);
    const state = await context.state();
    const client = await context.client();
    const replay = setInterval(() => void replayQuietly(state, client, context.io), OUTBOX_REPLAY_MS);
    replay.unref();
    try {
      await closed;
    } finally {
      clearInterval(replay);
    }
    return ExitCode.Ok;
  },
};

/** The MCP command. */
export const MCP_COMMANDS: readonly Command[] = [mcp];
