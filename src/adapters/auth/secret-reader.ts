/**
 * Reads the deployment's fixed credentials (admin token, registration key) from Secrets
 * Manager on AWS, where config names them by ARN instead of carrying their values.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { UnavailableError } from '#core/errors';
import { isTransientAwsError } from '../aws-errors';
import { type ClientOptions, clientConfig } from '../client-config';
import type { LazyClient } from '../lazy-client';

/** The Secrets Manager client package, loaded on first use (see `LazyClient`). */
const secretsSdk = () => import('@aws-sdk/client-secrets-manager');

/** A Secrets Manager client with the service's shared client settings. */
export const createSecretsClient = async (options: ClientOptions): Promise<SecretsManagerClient> =>
  new (await secretsSdk()).SecretsManagerClient(clientConfig(options));

/** Reads one secret's string value: the current one, or that of a version stage (`AWSPREVIOUS`). */
export interface SecretReader {
  /**
   * @throws UnavailableError when Secrets Manager is throttling or unreachable
   * @throws Error when the secret does not exist or holds no string (a deployment mistake)
   */
  read(arn: string, versionStage?: string): Promise<string>;
}

/** A `SecretReader` on a Secrets Manager client (made once per container by the caller). */
export const createSecretReader = (client: LazyClient<SecretsManagerClient>): SecretReader => ({
  read: async (arn, versionStage) => {
    const [{ GetSecretValueCommand }, secrets] = await Promise.all([secretsSdk(), client()]);
    const command = new GetSecretValueCommand({
      SecretId: arn,
      ...(versionStage !== undefined && { VersionStage: versionStage }),
    });
    const answer = await secrets.send(command).catch((error: unknown) => {
      throw isTransientAwsError(error)
        ? new UnavailableError('Secrets Manager is unavailable; retry shortly.', { cause: error })
        : new Error(`Cannot read secret ${arn}.`, { cause: error });
    });
    if (typeof answer.SecretString !== 'string' || answer.SecretString === '') {
      throw new Error(`Secret ${arn} holds no string value.`);
    }
    return answer.SecretString;
  },
});
