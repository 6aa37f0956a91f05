/**
 * A local fake of the Anthropic Messages API (`POST /v1/messages`), for the real SDK through
 * `baseURL`: JSON and SSE streaming answers, `tool_use` turns, error answers (429 with
 * `retry-after`, 529 overloaded, 500) and slow answers. Tests script the replies in order (or
 * answer every request with a function) and read back every request the SDK sent.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A content block of a scripted answer. */
export type FakeBlock =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'tool_use'; readonly id?: string; readonly name: string; readonly input: unknown };

/** What the fake answers one request with. */
export type FakeReply =
  | {
      readonly kind: 'message';
      readonly content: readonly FakeBlock[];
      readonly stopReason?: string;
      readonly usage?: { readonly input?: number; readonly output?: number; readonly cacheRead?: number };
      /** Wait this long before answering (a slow server). */
      readonly delayMs?: number;
      /** When streamed: wait this long before each text delta (a model producing text slowly). */
      readonly chunkDelayMs?: number;
    }
  | {
      readonly kind: 'error';
      readonly status: number;
      readonly type?: string;
      readonly retryAfterSeconds?: number;
      readonly delayMs?: number;
    };

/** A request the fake received. */
export interface FakeRequest {
  readonly headers: IncomingMessage['headers'];
  // biome-ignore lint/suspicious/noExplicitAny: the Messages API body, read loosely by tests
  readonly body: any;
  /** When a streamed answer to it was completely written (`Date.now()`). */
  streamEndedAt?: number;
}

/** A running fake. */
export interface FakeAnthropic {
  /** Base URL for the SDK (`baseURL`) or `ANTHROPIC_BASE_URL`. */
  readonly url: string;
  readonly requests: FakeRequest[];
  /** Queue replies; each request takes the next one. */
  enqueue(...replies: FakeReply[]): void;
  /** What requests get once the queue is empty. @default a short text answer */
  respondWith(responder: (request: FakeRequest) => FakeReply): void;
  reset(): void;
  close(): Promise<void>;
}

/** A text answer. */
export const text = (value: string, usage?: { input?: number; output?: number }): FakeReply => ({
  kind: 'message',
  content: [{ type: 'text', text: value }],
  ...(usage ? { usage } : {}),
});

/** An answer that calls one tool. */
export const toolUse = (name: string, input: unknown, id = `toolu_${name}`): FakeReply => ({
  kind: 'message',
  content: [{ type: 'tool_use', id, name, input }],
  stopReason: 'tool_use',
});

/** An error answer. */
export const failure = (status: number, type?: string, retryAfterSeconds?: number): FakeReply => ({
  kind: 'error',
  status,
  ...(type ? { type } : {}),
  ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
});

const ERROR_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const messageOf = (reply: Extract<FakeReply, { kind: 'message' }>, model: string, n: number) => ({
  id: `msg_fake_${n}`,
  type: 'message',
  role: 'assistant',
  model,
  content: reply.content.map((block, i) =>
    block.type === 'tool_use' ? { ...block, id: block.id ?? `toolu_${n}_${i}` } : block,
  ),
  stop_reason:
    reply.stopReason ?? (reply.content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn'),
  stop_sequence: null,
  usage: {
    input_tokens: reply.usage?.input ?? 100,
    output_tokens: reply.usage?.output ?? 20,
    cache_read_input_tokens: reply.usage?.cacheRead ?? 0,
    cache_creation_input_tokens: 0,
  },
});

const sse = (response: ServerResponse, event: string, data: unknown): void => {
  response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
};

/**
 * Streams a message the way the API does: start, blocks with deltas word by word, delta, stop;
 * `chunkDelayMs` apart between text deltas when given.
 */
const stream = async (
  response: ServerResponse,
  message: ReturnType<typeof messageOf>,
  chunkDelayMs = 0,
): Promise<void> => {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  sse(response, 'message_start', {
    type: 'message_start',
    message: { ...message, content: [], stop_reason: null, usage: { ...message.usage, output_tokens: 1 } },
  });
  for (const [index, block] of message.content.entries()) {
    if (block.type === 'text') {
      sse(response, 'content_block_start', {
        type: 'content_block_start',
        index,
        content_block: { type: 'text', text: '' },
      });
      for (const piece of block.text.match(/\S+\s*|\s+/g) ?? []) {
        if (chunkDelayMs > 0) await wait(chunkDelayMs);
        if (response.destroyed) return;
        sse(response, 'content_block_delta', {
          type: 'content_block_delta',
          index,
          delta: { type: 'text_delta', text: piece },
        });
      }
    } else {
      sse(response, 'content_block_start', {
        type: 'content_block_start',
        index,
        content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
      });
      sse(response, 'content_block_delta', {
        type: 'content_block_delta',
        index,
        delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) },
      });
    }
    sse(response, 'content_block_stop', { type: 'content_block_stop', index });
  }
  sse(response, 'message_delta', {
    type: 'message_delta',
    delta: { stop_reason: message.stop_reason, stop_sequence: null },
    usage: { output_tokens: message.usage.output_tokens },
  });
  sse(response, 'message_stop', { type: 'message_stop' });
  response.end();
};

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a fake on `port` (a free one by default) of `host` (127.0.0.1 by default). */
export const startFakeAnthropic = async (port = 0, host = '127.0.0.1'): Promise<FakeAnthropic> => {
  const queue: FakeReply[] = [];
  const requests: FakeRequest[] = [];
  let responder: (request: FakeRequest) => FakeReply = () => text('Fake answer.');
  let served = 0;
  const sockets = new Set<import('node:net').Socket>();

  const server = createServer(async (request, response) => {
    const raw = await readBody(request);
    if (request.method !== 'POST' || !request.url?.startsWith('/v1/messages')) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    const body = raw ? JSON.parse(raw) : {};
    const captured: FakeRequest = { headers: request.headers, body };
    requests.push(captured);
    served += 1;
    const reply = queue.shift() ?? responder(captured);
    if (reply.delayMs) await wait(reply.delayMs);
    if (response.destroyed) return;
    if (reply.kind === 'error') {
      const type = reply.type ?? ERROR_TYPES[reply.status] ?? 'api_error';
      response.writeHead(reply.status, {
        'content-type': 'application/json',
        ...(reply.retryAfterSeconds === undefined ? {} : { 'retry-after': String(reply.retryAfterSeconds) }),
      });
      response.end(JSON.stringify({ type: 'error', error: { type, message: `fake ${type}` } }));
      return;
    }
    const message = messageOf(reply, String(body.model ?? 'claude-fake'), served);
    if (body.stream) {
      await stream(response, message, reply.chunkDelayMs);
      captured.streamEndedAt = Date.now();
    } else response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(message));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const bound = server.address() as AddressInfo;
  return {
    url: `http://${host}:${bound.port}`,
    requests,
    enqueue: (...replies) => queue.push(...replies),
    respondWith: (next) => {
      responder = next;
    },
    reset: () => {
      queue.length = 0;
      requests.length = 0;
      responder = () => text('Fake answer.');
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
};

/** The JSON quoted in the first `<data name="...">` element of a request's first message, if any. */
// biome-ignore lint/suspicious/noExplicitAny: the quoted state, read loosely
const quotedState = (request: FakeRequest): any => {
  const first = request.body?.messages?.[0]?.content;
  const found = typeof first === 'string' ? /<data name="[^"]*">\n([\s\S]*?)\n<\/data>/.exec(first) : null;
  try {
    return found?.[1] === undefined ? undefined : JSON.parse(found[1]);
  } catch {
    return undefined;
  }
};

/** A plan from the candidates: best first, each item once, no agent past its free slots. */
// biome-ignore lint/suspicious/noExplicitAny: the quoted state, read loosely
const planOf = (state: any) => {
  const free = new Map<string, number>(
    (state?.agents ?? []).map((a: { id: string; capacity: number; activeClaims: number }) => [
      a.id,
      a.capacity - a.activeClaims,
    ]),
  );
  const taken = new Set<string>();
  const plan = [];
  for (const c of state?.candidates ?? []) {
    if (taken.has(c.workId) || (free.get(c.agentId) ?? 0) < 1 || plan.length >= 20) continue;
    taken.add(c.workId);
    free.set(c.agentId, (free.get(c.agentId) ?? 0) - 1);
    plan.push({
      agentId: c.agentId,
      workId: c.workId,
      score: c.score,
      reason: `(fake Claude) ${c.reason}`.slice(0, 500),
    });
  }
  return plan;
};

/**
 * Answers as a plausible Claude would, from what the request carries, so a running service shows
 * its Claude path end to end without a key (`npm run fake-claude`):
 * - a forced tool (`tool_choice`) gets a valid call: recommendations from the quoted candidates,
 *   the quoted findings kept as the assessment, one suggestion;
 * - a question with tools first calls `metrics` (and `list_agents`), then answers in text from
 *   what the tools returned.
 */
export const demoResponder = (request: FakeRequest): FakeReply => {
  const forced: string | undefined = request.body?.tool_choice?.name;
  const state = quotedState(request);
  if (forced === 'submit_recommendations') {
    return toolUse(forced, { recommendations: planOf(state) });
  }
  if (forced === 'submit_assessment') {
    const findings = (state?.findings ?? []).map(
      (f: { id: string; severity: string; subject: string; message: string }) => ({
        id: f.id,
        severity: f.severity,
        subject: f.subject,
        message: f.message,
      }),
    );
    return toolUse(forced, {
      summary: `(fake Claude) ${findings.length} findings reviewed and kept as the heuristic graded them.`,
      findings,
    });
  }
  if (forced === 'submit_suggestions') {
    return toolUse(forced, {
      suggestions: ['(fake Claude) Keep watching the teams with the most failures.'],
    });
  }
  const messages: { role: string; content: unknown }[] = request.body?.messages ?? [];
  const results = messages
    .flatMap((m) => (Array.isArray(m.content) ? m.content : []))
    .filter((part: { type?: string }) => part.type === 'tool_result')
    .map((part: { content?: unknown }) => String(part.content));
  const tools: { name: string }[] = request.body?.tools ?? [];
  if (results.length === 0 && tools.some((t) => t.name === 'metrics')) {
    return {
      kind: 'message',
      content: [
        { type: 'tool_use', name: 'metrics', input: {} },
        { type: 'tool_use', name: 'list_agents', input: {} },
      ],
    };
  }
  if (results.length === 0) return text('(fake Claude) I have nothing to read, so I cannot tell.');
  // biome-ignore lint/suspicious/noExplicitAny: tool results, read loosely
  const parse = (value: string | undefined): any => {
    try {
      return JSON.parse(value ?? 'null');
    } catch {
      return null;
    }
  };
  const metrics = parse(results[0]);
  const agents: { id: string; activeClaims: number; capacity: number }[] = parse(results[1]) ?? [];
  const busiest = [...agents].sort((a, b) => b.activeClaims / b.capacity - a.activeClaims / a.capacity)[0];
  return text(
    `(fake Claude) ${metrics?.agentsInService ?? 0} agents are in service at ${metrics?.loadPercent ?? 0}% load; ` +
      `${metrics?.ready ?? 0} items are ready, ${metrics?.blocked ?? 0} blocked and ${metrics?.overdue ?? 0} overdue.` +
      (busiest ? ` The busiest agent is ${busiest.id} (${busiest.activeClaims}/${busiest.capacity}).` : ''),
  );
};

/** Starts the fake on `port` of `host` (0: a free one), answering every request with `demoResponder`. */
export const startDemoFakeAnthropic = async (port: number, host = '127.0.0.1'): Promise<FakeAnthropic> => {
  const fake = await startFakeAnthropic(port, host);
  fake.respondWith(demoResponder);
  return fake;
};
