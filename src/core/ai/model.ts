/**
 * What the AI features need from a language model, in the domain's words: the adapter
 * (`src/adapters/ai`) speaks to Claude behind this port, so use cases never see an SDK.
 */
import type { JsonObject } from '../model';

/** Where an AI answer came from. */
export const AiSource = { Claude: 'claude', Heuristic: 'heuristic' } as const;
export type AiSource = (typeof AiSource)[keyof typeof AiSource];

/** Why an answer came from the heuristic (API.md "Additions"); the only place these literals are spelled. */
export const FallbackReason = {
  /** No API key is configured, or AI is turned off in the settings. */
  NoKey: 'no_key',
  BreakerOpen: 'breaker_open',
  BudgetSpent: 'budget_spent',
  RateLimited: 'rate_limited',
  Error: 'error',
  InvalidOutput: 'invalid_output',
} as const;
export type FallbackReason = (typeof FallbackReason)[keyof typeof FallbackReason];

/** The model could not be used; the caller answers from the heuristic and reports `reason`. */
export class AiFallbackError extends Error {
  readonly reason: FallbackReason;
  constructor(reason: FallbackReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AiFallbackError';
    this.reason = reason;
  }
}

/** A tool the model may call (always read-only here). */
export interface AiTool {
  readonly name: string;
  readonly description: string;
  /** JSON Schema of the tool's input. */
  readonly inputSchema: JsonObject;
}

/** A part of the model's answer. */
export type AiContent =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'tool_use'; readonly id: string; readonly name: string; readonly input: unknown };

/** What a tool answered, handed back to the model. */
export interface AiToolResult {
  readonly type: 'tool_result';
  readonly toolUseId: string;
  readonly content: string;
}

/** One turn of the conversation. */
export type AiMessage =
  | { readonly role: 'user'; readonly content: string | readonly AiToolResult[] }
  | { readonly role: 'assistant'; readonly content: readonly AiContent[] };

/** One call to the model. */
export interface AiRequest {
  /** Stable instructions (cached by the adapter): never contains data written by agents. */
  readonly system: string;
  readonly messages: readonly AiMessage[];
  readonly tools?: readonly AiTool[];
  /** Make the model call this tool (structured output). */
  readonly forceTool?: string;
  /** Called with each piece of text as it arrives (streaming); absent: one answer at the end. */
  readonly onText?: (delta: string) => void;
  /** What the call is for, as a metric dimension (`recommendations`, `query`, ...). */
  readonly purpose: string;
}

/** The model's answer to one call. */
export interface AiReply {
  readonly content: readonly AiContent[];
  readonly stopReason: string;
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number };
}

/** Per-call settings (from `GET /v1/config`'s `ai`). */
export interface AiCallSettings {
  readonly model: string;
  readonly maxTokens: number;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly maxRequestsPerMinute: number;
  readonly dailyTokenBudget: number;
}

/** A language model guarded by the shared rate limit, circuit breaker and daily budget. */
export interface AiModel {
  /** `no_key` when no API key is configured (nothing is called), else `undefined`. */
  missingKey(): Promise<FallbackReason | undefined>;
  /**
   * One call (with retries inside).
   * @throws AiFallbackError when there is no key, the breaker is open, the budget or rate is
   * spent, or the call failed after its retries.
   */
  complete(request: AiRequest, settings: AiCallSettings): Promise<AiReply>;
}

/** The text parts of an answer, joined. */
export const textOf = (reply: AiReply): string =>
  reply.content
    .filter((part): part is Extract<AiContent, { type: 'text' }> => part.type === 'text')
    .map((part) => part.text)
    .join('');
