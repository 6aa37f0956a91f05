import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createSecretReader } from '#adapters/auth/secret-reader';
import { UnavailableError } from '#core/errors';

// No Secrets Manager emulator runs here, so its answers and failures are injected.
const secrets = mockClient(SecretsManagerClient);
const client = new SecretsManagerClient({ region: 'us-east-1' });
const reader = createSecretReader(async () => client);
const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:coord-admin';

afterEach(() => secrets.reset());

describe('createSecretReader', () => {
  it('reads the secret string of the given ARN', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: 'the-admin-token' });

    await expect(reader.read(ARN)).resolves.toBe('the-admin-token');
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('turns throttling into UnavailableError', async () => {
    secrets.on(GetSecretValueCommand).rejects(
      Object.assign(new Error('Rate exceeded'), {
        name: 'ThrottlingException',
        $fault: 'client',
        $retryable: {},
      }),
    );

    await expect(reader.read(ARN)).rejects.toThrow(UnavailableError);
  });

  it('fails loudly, naming the ARN, for a missing secret or one without a string', async () => {
    secrets
      .on(GetSecretValueCommand)
      .rejectsOnce(
        Object.assign(new Error('not found'), { name: 'ResourceNotFoundException', $fault: 'client' }),
      )
      .resolvesOnce({ SecretBinary: new Uint8Array([1]) });

    await expect(reader.read(ARN)).rejects.toThrow(`Cannot read secret ${ARN}.`);
    await expect(reader.read(ARN)).rejects.toThrow(`Secret ${ARN} holds no string value.`);
  });
});
