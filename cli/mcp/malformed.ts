/**
 * JSON-RPC 2.0 answers to lines that are not messages. The SDK's stdio transport drops such a
 * line and reports it only to `onerror`; JSON-RPC asks for an error response with `id: null`:
 * -32700 (parse error) for a line that is not JSON, -32600 (invalid request) for JSON that is
 * not a JSON-RPC message.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** JSON-RPC 2.0 error codes. */
export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;

const codeFor = (error: Error): number | undefined => {
  if (error instanceof SyntaxError) return PARSE_ERROR;
  if (error.name === 'ZodError') return INVALID_REQUEST;
  return undefined;
};

/**
 * Makes `transport` answer malformed lines. Call it before `server.connect(transport)`, which
 * keeps this handler and adds its own.
 */
export const answerMalformedLines = (transport: Transport, log: (line: string) => void): void => {
  const previous = transport.onerror;
  transport.onerror = (error) => {
    previous?.(error);
    const code = codeFor(error);
    if (code === undefined) return;
    const message =
      code === PARSE_ERROR
        ? 'Parse error: the line is not JSON'
        : 'Invalid Request: not a JSON-RPC 2.0 message';
    log(`coord mcp: ${message}`);
    // JSON-RPC's `id: null` for a request whose id could not be read; the SDK's type has no null.
    const reply = { jsonrpc: '2.0', id: null, error: { code, message } } as unknown as JSONRPCMessage;
    transport.send(reply).catch(() => undefined);
  };
};
