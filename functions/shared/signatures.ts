/**
 * Requests from outside services authenticate with their own signature of the raw body instead
 * of a bearer token (routes with `signedBy`). The signature is checked on the bytes as they
 * arrived, before the body is parsed, so the check sees exactly what the sender signed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SignedBy } from '#app/route';
import { ForbiddenError, UnauthorizedError } from '#core/errors';
import { type HttpEvent, type HttpRuntime, headerOf } from './request';

/** GitHub's signature header: `sha256=<hex HMAC-SHA256 of the body>`. */
export const GITHUB_SIGNATURE_HEADER = 'x-hub-signature-256';

const GITHUB_SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

/** The body's bytes as the client sent them. */
const rawBodyOf = (event: HttpEvent): Buffer =>
  Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');

/** `sha256=<hex>` of `body` with `secret`: what GitHub sends (exported for tests and relays). */
export const githubSignatureOf = (secret: string, body: string | Buffer): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/**
 * Checks the request's signature by `service` (compared in constant time).
 * @throws ForbiddenError when no secret is configured for the service
 * @throws UnauthorizedError when the signature is missing, malformed or does not match
 */
export const verifySignature = async (
  service: SignedBy,
  event: HttpEvent,
  runtime: HttpRuntime,
): Promise<void> => {
  const secret = await runtime.signingSecret?.(service);
  if (secret === undefined) {
    throw new ForbiddenError(`The ${service} integration is not configured: no webhook secret is set.`, {
      integration: service,
    });
  }
  const presented = GITHUB_SIGNATURE.exec(headerOf(event, GITHUB_SIGNATURE_HEADER) ?? '')?.[1];
  const expected = createHmac('sha256', secret).update(rawBodyOf(event)).digest();
  if (presented === undefined || !timingSafeEqual(Buffer.from(presented, 'hex'), expected)) {
    throw new UnauthorizedError(
      `The ${GITHUB_SIGNATURE_HEADER} header is missing or is not the body's signature with the configured secret.`,
    );
  }
};
