/**
 * Pure data shared by the origin check (`origin-verify.ts`), the pre-traffic hook and the CDK
 * stacks: the header CloudFront sends the origin secret in, and the variable naming the secret.
 */

/** The header CloudFront sends the origin secret in, on a stage with a per-IP limit. */
export const ORIGIN_VERIFY_HEADER = 'x-origin-verify';

/** The variable the HTTP functions (and the pre-traffic hooks) read the origin secret's ARN from. */
export const ORIGIN_SECRET_ARN_VARIABLE = 'COORD_ORIGIN_SECRET_ARN';
