import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, it } from 'vitest';
import type { TableDefinition } from '#adapters/dynamo/tables';
import { CoordTable } from '../../lib/constructs/coord-table';

const leaderboard: TableDefinition = {
  id: 'Leaderboard',
  partitionKey: { name: 'team', type: 'S' },
  sortKey: { name: 'score', type: 'N' },
  indexes: [{ indexName: 'byScore', partitionKey: { name: 'score', type: 'N' }, projection: 'KEYS_ONLY' }],
};

describe('CoordTable', () => {
  it('maps number keys and keys-only projections from the definition', () => {
    const stack = new Stack();
    new CoordTable(stack, 'Leaderboard', {
      definition: leaderboard,
      tablePrefix: 'coord-x',
    });

    Template.fromStack(stack).hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'coord-x-Leaderboard',
      AttributeDefinitions: [
        { AttributeName: 'team', AttributeType: 'S' },
        { AttributeName: 'score', AttributeType: 'N' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byScore',
          KeySchema: [{ AttributeName: 'score', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    });
  });
});
