/**
 * The origin check of a stage whose per-IP limit sits on CloudFront (`perIpLimit`): CloudFront
 * adds a secret header to every request it forwards to the HTTP API, and the chain refuses any
 * request without it before authentication and before any store work, so calling the API's own
 * `execute-api` URL cannot get around the web ACL in front of CloudFront. Stages without the
 * secret (and the local stack) run no check.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import { ForbiddenError } from '#core/errors';
import { ORIGIN_VERIFY_HEADER } from './origin-header';
import {
  type HttpContext,
  type HttpEvent,
  type HttpResult,
  type HttpRuntime,
  headerOf,
  type OriginCheck,
} from './request';

export { ORIGIN_VERIFY_HEADER } from './origin-header';

/** What a request that did not come through CloudFront is told. */
export const ORIGIN_REFUSED_MESSAGE =
  "Call the API through the stage's CloudFront URL (the DashboardUrl output of its web stack), not its execute-api URL.";

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Whether `given` is one of the `accepted` values. Each comparison is of SHA-256 digests with
 * `timingSafeEqual`, and every accepted value is compared, so the time taken says nothing about
 * how much of a guess was right (nor its length).
 */
export const matchesOriginSecret = (accepted: readonly string[], given: string | undefined): boolean => {
  if (given === undefined) return false;
  const guess = digest(given);
  let matched = false;
  for (const value of accepted) {
    if (value !== '' && timingSafeEqual(digest(value), guess)) matched = true;
  }
  return matched;
};

/** How long {@link OriginSecrets} keeps what it read. */
export interface OriginSecretsTiming {
  /** Milliseconds after which the values are read again on the next request. */
  readonly maxAgeMs: number;
  /** Milliseconds a refused header must wait before it makes the values be read again early. */
  readonly minRefreshMs: number;
}

/** Five minutes, and a re-read at most once a minute when a header does not match. */
export const ORIGIN_SECRETS_TIMING: OriginSecretsTiming = { maxAgeMs: 300_000, minRefreshMs: 60_000 };

/**
 * The accepted origin secret values of one container: read on first use (one read at a time),
 * kept for `maxAgeMs`, and read again early when a header matches none of them and the values
 * are older than `minRefreshMs` (a rotation that reached CloudFront before this container), so a
 * stream of wrong headers costs at most one read a minute. A failed read is not kept.
 */
export class OriginSecrets implements OriginCheck {
  private values: { readonly accepted: readonly string[]; readonly readAt: number } | undefined;
  private reading: Promise<readonly string[]> | undefined;

  constructor(
    private readonly read: () => Promise<readonly string[]>,
    private readonly now: () => number,
    private readonly timing: OriginSecretsTiming = ORIGIN_SECRETS_TIMING,
  ) {}

  /** The accepted values, read again when older than `maxAgeMs`. */
  public accepted(): Promise<readonly string[]> {
    if (this.values && this.now() - this.values.readAt < this.timing.maxAgeMs) {
      return Promise.resolve(this.values.accepted);
    }
    return this.readAgain();
  }

  /** Whether `given` matches, reading the values again early (see the class) before refusing. */
  public async verify(given: string | undefined): Promise<boolean> {
    if (matchesOriginSecret(await this.accepted(), given)) return true;
    const readAt = this.values?.readAt;
    if (given === undefined || readAt === undefined || this.now() - readAt < this.timing.minRefreshMs) {
      return false;
    }
    return matchesOriginSecret(await this.readAgain(), given);
  }

  private readAgain(): Promise<readonly string[]> {
    this.reading ??= this.read()
      .then((accepted) => {
        this.values = { accepted, readAt: this.now() };
        return accepted;
      })
      .finally(() => {
        this.reading = undefined;
      });
    return this.reading;
  }
}

/**
 * Refuses, with 403 `forbidden`, a request whose {@link ORIGIN_VERIFY_HEADER} is missing or
 * wrong, when the runtime has an origin secret; does nothing when it has none.
 * @throws ForbiddenError naming the URL to call instead.
 */
export const originVerify = (
  runtime: HttpRuntime,
): MiddlewareObj<HttpEvent, HttpResult, Error, HttpContext> => ({
  before: async (request) => {
    const secrets = runtime.originSecrets?.();
    if (secrets === undefined) return;
    if (await secrets.verify(headerOf(request.event, ORIGIN_VERIFY_HEADER))) return;
    throw new ForbiddenError(ORIGIN_REFUSED_MESSAGE);
  },
});
