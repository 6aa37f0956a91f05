/**
 * The use cases' dependencies in the bench's own process, on DynamoDB Local tables of its own
 * (no HTTP, no handlers): the real ports, ids, clock, randomness and hasher, the default
 * settings, and an escalation publisher that drops what it is given (nothing these benchmarks
 * create waits on a failed dependency, so nothing is published).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoPorts, type DynamoPortsOptions } from '#adapters/dynamo/index';
import { systemClock } from '#adapters/system/clock';
import { sha256Hasher } from '#adapters/system/hasher';
import { createIdGenerator } from '#adapters/system/ids';
import { systemRandom } from '#adapters/system/random';
import { DEFAULT_SETTINGS } from '#core/settings';

/** Dependencies of the use cases on `client`'s tables named by `options.tablePrefix`. */
export const inProcessDeps = (
  client: DynamoDBClient,
  options: Omit<DynamoPortsOptions, 'client' | 'clock'>,
) => {
  const clock = systemClock;
  return {
    ...createDynamoPorts({ ...options, client, clock }),
    clock,
    ids: createIdGenerator({ clock }),
    random: systemRandom,
    hasher: sha256Hasher,
    escalationPublisher: { publish: async () => undefined },
    defaults: DEFAULT_SETTINGS,
  };
};
