/**
 * What a function's bundle holds instead of `@anthropic-ai/sdk` when the function is not given
 * an Anthropic key (every function but the AI routes and the WebSocket `ask`): the Claude
 * advisor answers from its heuristic (`NoKey`) before it would build a client, so the SDK's
 * 430 kB would never run there. The error classes keep the advisor's `instanceof` checks
 * working; building a client fails loudly, naming the cause.
 */

/** An error the Anthropic API answered; never thrown here. */
class APIError extends Error {
  public readonly status: number | undefined = undefined;
  public readonly headers: Headers | undefined = undefined;
}

/** A connection failure; never thrown here. */
class APIConnectionError extends APIError {}

export default class Anthropic {
  public static readonly APIError = APIError;
  public static readonly APIConnectionError = APIConnectionError;

  constructor() {
    throw new Error(
      'This function was bundled without the Anthropic SDK: give it Claude in its CDK construct (`claude: true`).',
    );
  }
}
