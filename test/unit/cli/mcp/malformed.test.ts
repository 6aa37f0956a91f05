import { PassThrough } from 'node:stream';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { afterEach, describe, expect, it } from 'vitest';
import { answerMalformedLines } from '../../../../cli/mcp/malformed';

let stdin: PassThrough;
let stdout: PassThrough;
let transport: StdioServerTransport;
const logged: string[] = [];

/** Lines the server wrote, parsed, once `count` have arrived. */
const replies = async (count: number): Promise<unknown[]> => {
  let text = '';
  for await (const chunk of stdout) {
    text += String(chunk);
    const lines = text.split('\n').filter((line) => line !== '');
    if (lines.length >= count) return lines.map((line) => JSON.parse(line));
  }
  return [];
};

const serve = async () => {
  stdin = new PassThrough();
  stdout = new PassThrough();
  transport = new StdioServerTransport(stdin, stdout);
  answerMalformedLines(transport, (line) => logged.push(line));
  await new McpServer({ name: 'coord', version: 'test' }).connect(transport);
};

afterEach(async () => {
  await transport.close();
});

describe('the MCP server on lines that are not JSON-RPC messages', () => {
  it('answers -32700 with id null to a line that is not JSON, and keeps serving', async () => {
    await serve();

    stdin.write('this is not json\n');
    stdin.write(
      `${JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
      })}\n`,
    );
    const [parseError, initialized] = await replies(2);

    expect(parseError).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32700, message: 'Parse error: the line is not JSON' },
    });
    expect(initialized).toMatchObject({ jsonrpc: '2.0', id: 1, result: { serverInfo: { name: 'coord' } } });
    expect(logged).toContain('coord mcp: Parse error: the line is not JSON');
  });

  it('answers -32600 to JSON that is not a JSON-RPC message', async () => {
    await serve();

    stdin.write('{"hello":"world"}\n');

    expect(await replies(1)).toEqual([
      {
        jsonrpc: '2.0',
        id: null,
        error: { code: -32600, message: 'Invalid Request: not a JSON-RPC 2.0 message' },
      },
    ]);
  });
});
