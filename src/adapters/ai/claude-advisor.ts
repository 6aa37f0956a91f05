/**
 * The `AiModel` port on Claude: the only module that imports `@anthropic-ai/sdk`. Every call
 * passes the shared guard first (token bucket, circuit breaker, daily budget, kept in the store
 * so all functions share them), then goes out with the SDK's own retries off: this module retries
 * 429, 5xx, overloaded and connection failures itself, with jittered exponential backoff that
 * honours `retry-after`, and only while nothing has been streamed yet (a retry would repeat text).
 * The stable system prompt is marked for prompt caching. The API key is read lazily (Secrets
 * Manager on AWS) and never logged, traced or put into an error.
 *
 * The client is the SDK's `BaseAnthropic` with only the `Messages` resource: the default client
 * hangs every resource (beta, files, models, ...) off itself, so a bundle carried all of them.
 * These three SDK modules are the ones a bundle without Claude swaps for a stand-in (lib/bundle.ts).
 */
import { BaseAnthropic } from '@anthropic-ai/sdk/client';
import { APIConnectionError, APIError } from '@anthropic-ai/sdk/error';
import type {
  Message,
  MessageCreateParamsNonStreaming,
  MessageParam,
} from '@anthropic-ai/sdk/resources/messages';
import { Messages } from '@anthropic-ai/sdk/resources/messages/messages';
import { type Admission, admit, failed, type GateStore, succeeded } from '#core/ai/gate';
import {
  type AiCallSettings,
  type AiContent,
  AiFallbackError,
  type AiMessage,
  type AiModel,
  type AiReply,
  type AiRequest,
  FallbackReason,
} from '#core/ai/model';

/** One call, as metrics see it. */
export interface AiCallRecord {
  readonly purpose: string;
  readonly model: string;
  readonly outcome: 'ok' | FallbackReason;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadTokens: number;
  readonly cacheWriteTokens: number;
  readonly costUsd: number;
  readonly attempts: number;
  readonly latencyMs: number;
}

/** Options of {@link createClaudeAdvisor}. */
export interface ClaudeAdvisorOptions {
  /** The API key, read on first use (`undefined`: no key, every call falls back with `no_key`). */
  readonly apiKey: () => Promise<string | undefined>;
  /** @default the SDK's (`ANTHROPIC_BASE_URL`, else https://api.anthropic.com) */
  readonly baseUrl?: string;
  readonly gate: GateStore;
  /** Epoch milliseconds now. */
  readonly now: () => number;
  /** Uniform in [0, 1), for backoff jitter. */
  readonly random: () => number;
  /** @default setTimeout */
  readonly sleep?: (milliseconds: number) => Promise<void>;
  /** Receives one record per call (token and cost metrics). */
  readonly record?: (call: AiCallRecord) => void;
}

/** First backoff; each retry doubles it, jittered to 50..150%. */
const BASE_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 8_000;
/** A `retry-after` longer than this is not waited for: the call falls back instead. */
const MAX_RETRY_AFTER_MS = 10_000;

/** USD per million tokens (input, output) by model family; cache reads cost 10%, writes 125% of input. */
const PRICES: readonly [RegExp, number, number][] = [
  [/opus-4-[5-9]/, 5, 25],
  [/opus/, 15, 75],
  [/haiku-4/, 1, 5],
  [/haiku/, 0.8, 4],
  [/sonnet/, 3, 15],
];

/** The cost of a call in USD (Sonnet prices for an unknown model). */
export const costOf = (
  model: string,
  usage: { input: number; output: number; cacheRead: number; cacheWrite: number },
): number => {
  const [, input, output] = PRICES.find(([pattern]) => pattern.test(model)) ?? [/./, 3, 15];
  return (
    (usage.input * input +
      usage.output * output +
      usage.cacheRead * input * 0.1 +
      usage.cacheWrite * input * 1.25) /
    1_000_000
  );
};

const defaultSleep = (milliseconds: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, milliseconds));

const toParam = (message: AiMessage): MessageParam =>
  message.role === 'user'
    ? {
        role: 'user',
        content:
          typeof message.content === 'string'
            ? message.content
            : message.content.map((r) => ({
                type: 'tool_result' as const,
                tool_use_id: r.toolUseId,
                content: r.content,
              })),
      }
    : {
        role: 'assistant',
        content: message.content.map((part) =>
          part.type === 'text'
            ? { type: 'text' as const, text: part.text }
            : { type: 'tool_use' as const, id: part.id, name: part.name, input: part.input },
        ),
      };

const fromMessage = (message: Message): AiReply => ({
  content: message.content.flatMap((block): AiContent[] => {
    if (block.type === 'text') return [{ type: 'text', text: block.text }];
    if (block.type === 'tool_use')
      return [{ type: 'tool_use', id: block.id, name: block.name, input: block.input }];
    return [];
  }),
  stopReason: message.stop_reason ?? 'end_turn',
  usage: { inputTokens: message.usage.input_tokens, outputTokens: message.usage.output_tokens },
});

/** How long the server asked us to wait, from `retry-after-ms` or `retry-after` (seconds or a date). */
export const retryAfterMs = (headers: Headers | undefined, now: number): number | undefined => {
  const ms = Number(headers?.get('retry-after-ms'));
  if (headers?.get('retry-after-ms') && Number.isFinite(ms)) return Math.max(0, ms);
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
};

/** Whether a failed call may be tried again: rate limits, server errors, overload, lost connections. */
const isRetryable = (error: unknown): boolean => {
  if (error instanceof APIConnectionError) return true;
  if (error instanceof APIError) {
    const status = error.status ?? 0;
    return status === 408 || status === 409 || status === 429 || status >= 500;
  }
  return false;
};

const describe = (error: unknown): string =>
  error instanceof APIError
    ? `Claude answered ${error.status ?? 'no status'} (${error.type ?? error.name})`
    : error instanceof Error
      ? `Claude call failed (${error.name})`
      : 'Claude call failed';

/** The Anthropic client with the one resource the advisor calls. */
class ClaudeClient extends BaseAnthropic {
  public readonly messages: Messages = new Messages(this);
}

/** The model port on Claude. */
export const createClaudeAdvisor = (options: ClaudeAdvisorOptions): AiModel => {
  const { gate, now, random, sleep = defaultSleep, record } = options;
  let client: { key: string; sdk: ClaudeClient } | undefined;
  const sdkFor = (key: string): ClaudeClient => {
    if (client?.key !== key) {
      client = {
        key,
        sdk: new ClaudeClient({
          apiKey: key,
          maxRetries: 0,
          ...(options.baseUrl ? { baseURL: options.baseUrl } : {}),
        }),
      };
    }
    return client.sdk;
  };

  const send = async (sdk: ClaudeClient, request: AiRequest, settings: AiCallSettings): Promise<Message> => {
    const params: MessageCreateParamsNonStreaming = {
      model: settings.model,
      max_tokens: settings.maxTokens,
      system: [{ type: 'text', text: request.system, cache_control: { type: 'ephemeral' } }],
      messages: request.messages.map(toParam),
      ...(request.tools?.length
        ? {
            tools: request.tools.map((tool) => ({
              name: tool.name,
              description: tool.description,
              input_schema: tool.inputSchema as { type: 'object' },
            })),
          }
        : {}),
      ...(request.forceTool ? { tool_choice: { type: 'tool' as const, name: request.forceTool } } : {}),
    };
    const callOptions = { timeout: settings.timeoutMs };
    if (!request.onText) return sdk.messages.create(params, callOptions);
    const stream = sdk.messages.stream(params, callOptions);
    stream.on('text', (delta) => request.onText?.(delta));
    return stream.finalMessage();
  };

  return {
    async missingKey() {
      return (await options.apiKey()) ? undefined : FallbackReason.NoKey;
    },
    async complete(request, settings) {
      const started = now();
      const key = await options.apiKey();
      const base = { purpose: request.purpose, model: settings.model };
      const zero = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 };
      const refuse = (reason: FallbackReason, message: string, attempts = 0): AiFallbackError => {
        record?.({ ...base, ...zero, outcome: reason, attempts, latencyMs: now() - started });
        return new AiFallbackError(reason, message);
      };
      if (!key) throw refuse(FallbackReason.NoKey, 'No Anthropic API key is configured.');
      const admission = await gate.update<Admission>((state) => {
        const decided = admit(state, now(), settings);
        return decided.admitted ? { state: decided.next, result: decided } : { result: decided };
      });
      if (!admission.admitted) throw refuse(admission.reason, `Claude was not called: ${admission.reason}.`);

      const sdk = sdkFor(key);
      let streamed = false;
      const watched: AiRequest = request.onText
        ? {
            ...request,
            onText: (delta) => {
              streamed = true;
              request.onText?.(delta);
            },
          }
        : request;
      let lastError: unknown;
      let attempts = 0;
      for (; attempts <= settings.maxRetries; ) {
        attempts += 1;
        try {
          const message = await send(sdk, watched, settings);
          const usage = message.usage;
          const cacheRead = usage.cache_read_input_tokens ?? 0;
          const cacheWrite = usage.cache_creation_input_tokens ?? 0;
          await gate.update((state) =>
            state
              ? {
                  state: succeeded(state, now(), usage.input_tokens + usage.output_tokens + cacheWrite),
                  result: undefined,
                }
              : { result: undefined },
          );
          record?.({
            ...base,
            outcome: 'ok',
            inputTokens: usage.input_tokens,
            outputTokens: usage.output_tokens,
            cacheReadTokens: cacheRead,
            cacheWriteTokens: cacheWrite,
            costUsd: costOf(settings.model, {
              input: usage.input_tokens,
              output: usage.output_tokens,
              cacheRead,
              cacheWrite,
            }),
            attempts,
            latencyMs: now() - started,
          });
          return fromMessage(message);
        } catch (error) {
          lastError = error;
          if (!isRetryable(error) || streamed || attempts > settings.maxRetries) break;
          const asked = retryAfterMs(error instanceof APIError ? error.headers : undefined, now());
          if (asked !== undefined && asked > MAX_RETRY_AFTER_MS) break;
          const backoff = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** (attempts - 1)) * (0.5 + random());
          await sleep(asked ?? backoff);
        }
      }
      await gate.update((state) =>
        state ? { state: failed(state, now()), result: undefined } : { result: undefined },
      );
      const rateLimited = lastError instanceof APIError && lastError.status === 429;
      throw refuse(
        rateLimited ? FallbackReason.RateLimited : FallbackReason.Error,
        describe(lastError),
        attempts,
      );
    },
  };
};
