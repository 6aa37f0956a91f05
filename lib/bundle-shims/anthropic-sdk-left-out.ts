/**
 * What a function's bundle holds instead of the Anthropic SDK's modules (`ANTHROPIC_SDK_MODULES`
 * in lib/bundle.ts) when the function is not given an Anthropic key (every function but those
 * that call Claude): the Claude advisor answers from its heuristic (`NoKey`) before it would
 * build a client, so the SDK would never run there. The error classes keep the advisor's
 * `instanceof` checks working; building a client fails loudly, naming the cause.
 */

/** An error the Anthropic API answered; never thrown here. */
export class APIError extends Error {
  public readonly status: number | undefined = undefined;
  public readonly headers: Headers | undefined = undefined;
}

/** A connection failure; never thrown here. */
export class APIConnectionError extends APIError {}

export class BaseAnthropic {
  public static readonly APIError = APIError;
  public static readonly APIConnectionError = APIConnectionError;

  constructor() {
    throw new Error(
      'This function was bundled without the Anthropic SDK: give it Claude in its CDK construct (`claude: true`).',
    );
  }
}

/** The `Messages` resource; never built, as no client is. */
export class Messages {}

export default BaseAnthropic;
