/**
 * Records every store call a DynamoDB client sends, as `<command> <tables>` with each table's
 * stage prefix dropped (`TransactWriteItemsCommand Work+Agents+Events`), for tests that assert
 * which calls a use case makes.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Adds the recording middleware to `client`; each call is pushed onto `sent`. */
export const recordStoreCalls = (client: DynamoDBClient, sent: string[]): void => {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as {
        TableName?: string;
        TransactItems?: Record<string, { TableName?: string }>[];
      };
      const tables = input.TableName
        ? [input.TableName]
        : (input.TransactItems ?? []).map((entry) => Object.values(entry)[0]?.TableName ?? '');
      sent.push(`${context.commandName} ${tables.map((t) => t.slice(t.lastIndexOf('-') + 1)).join('+')}`);
      return next(args);
    },
    { step: 'initialize', name: 'countStoreCalls' },
  );
};
