import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { eventsTable, type KeyAttribute, TABLES, type TableDefinition } from '#adapters/dynamo/tables';
import { CoordTable } from '../../lib/constructs/coord-table';
import { DataStack, type DataStackProps } from '../../lib/stacks/data-stack';
import { appWithoutBundling, logicalIdOf } from './support/synth';

const synthData = (props: Partial<DataStackProps> = {}): { stack: DataStack; template: Template } => {
  const stack = new DataStack(appWithoutBundling(), 'Data', { tablePrefix: 'coord-test', ...props });
  return { stack, template: Template.fromStack(stack) };
};

const keySchema = (partitionKey: KeyAttribute, sortKey?: KeyAttribute) => [
  { AttributeName: partitionKey.name, KeyType: 'HASH' },
  ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' }] : []),
];

const tableProperties = (definition: TableDefinition) => ({
  TableName: `coord-test-${definition.id}`,
  KeySchema: keySchema(definition.partitionKey, definition.sortKey),
});

describe('DataStack', () => {
  const { stack, template } = synthData();

  it('creates the Anthropic key secret as a placeholder, destroyed with the stack outside production, and outputs its ARN', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 2);
    template.hasResource('AWS::SecretsManager::Secret', {
      Properties: { SecretString: 'none' },
      DeletionPolicy: 'Delete',
    });
    template.hasOutput('AnthropicApiKeySecretArn', {
      Value: { Ref: logicalIdOf(stack.anthropicApiKeySecret) },
    });
    Template.fromStack(synthData({ isProd: true }).stack).hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
    });
  });

  it('creates the GitHub webhook secret as a placeholder (deliveries refused until it is set) and outputs its ARN', () => {
    const secret = template.toJSON().Resources[logicalIdOf(stack.githubWebhookSecret)];

    expect(secret).toMatchObject({ Properties: { SecretString: 'none' }, DeletionPolicy: 'Delete' });
    template.hasOutput('GithubWebhookSecretArn', { Value: { Ref: logicalIdOf(stack.githubWebhookSecret) } });
  });

  it('creates one table per definition', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', TABLES.length);
    expect([...stack.tables.keys()]).toEqual(TABLES.map((definition) => definition.id));
  });

  it.each(TABLES)('builds the $id table on demand with point-in-time recovery', (definition) => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      ...tableProperties(definition),
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it.each(TABLES)('gives the $id table exactly its definition’s global secondary indexes', (definition) => {
    const indexes = [...definition.indexes, ...(definition.retiringIndexes ?? [])].map((index) => ({
      IndexName: index.indexName,
      KeySchema: keySchema(index.partitionKey, index.sortKey),
      Projection: { ProjectionType: index.projection ?? 'ALL' },
    }));
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      ...tableProperties(definition),
      GlobalSecondaryIndexes: indexes.length > 0 ? indexes : Match.absent(),
    });
  });

  it('keeps only keys in the Work lease index, and keeps the whole-item lease index for one more release', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'coord-test-Work',
      GlobalSecondaryIndexes: Match.arrayWith([
        {
          IndexName: 'leaseKeys',
          KeySchema: [
            { AttributeName: 'gsi2pk', KeyType: 'HASH' },
            { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
        {
          IndexName: 'leases',
          KeySchema: [
            { AttributeName: 'gsi2pk', KeyType: 'HASH' },
            { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ]),
    });
  });

  it.each(TABLES)(
    'keeps at most one retiring index of the $id table, under a name no current index has',
    (definition) => {
      const retiring = definition.retiringIndexes ?? [];
      const current = new Set(definition.indexes.map((index) => index.indexName));

      expect(retiring.length).toBeLessThanOrEqual(1);
      expect(retiring.filter((index) => current.has(index.indexName))).toEqual([]);
    },
  );

  it('orders the Work ready index by gsi1pk and gsi1sk, both strings', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'coord-test-Work',
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'gsi1pk', AttributeType: 'S' },
        { AttributeName: 'gsi1sk', AttributeType: 'S' },
      ]),
      GlobalSecondaryIndexes: Match.arrayWith([
        Match.objectLike({
          IndexName: 'ready',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
        }),
      ]),
    });
  });

  it.each(TABLES)('sets the $id table’s TTL attribute only when its definition has one', (definition) => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      ...tableProperties(definition),
      TimeToLiveSpecification: definition.ttlAttribute
        ? { AttributeName: definition.ttlAttribute, Enabled: true }
        : Match.absent(),
    });
  });

  it('streams new images of the Events table and of no other', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'coord-test-Events',
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    expect(
      Object.keys(
        template.findResources('AWS::DynamoDB::Table', {
          Properties: { StreamSpecification: Match.anyValue() },
        }),
      ),
    ).toHaveLength(1);
    expect(eventsTable.stream).toBe(true);
  });

  it('leaves deletion protection off and destroys the tables with the stack outside production', () => {
    expect(
      template.findResources('AWS::DynamoDB::Table', { Properties: { DeletionProtectionEnabled: true } }),
    ).toEqual({});
    template.allResources('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
    });
  });

  it('protects and retains every table in production', () => {
    const { template: prod } = synthData({ isProd: true });

    prod.allResourcesProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: true });
    prod.allResources('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('backs up every table daily and keeps the backups 35 days', () => {
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanRule: [
          Match.objectLike({ ScheduleExpression: 'cron(0 5 * * ? *)', Lifecycle: { DeleteAfterDays: 35 } }),
        ],
      },
    });
    const tableArns = TABLES.map((definition) => ({
      'Fn::GetAtt': [logicalIdOf(stack.tables.get(definition.id)), 'Arn'],
    }));
    template.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: { Resources: Match.arrayEquals(tableArns) },
    });
  });

  it('names the role a restore job takes, and lets it restore', () => {
    const selection = Object.values(template.findResources('AWS::Backup::BackupSelection'))[0] as {
      Properties: { BackupSelection: { IamRoleArn: { 'Fn::GetAtt': [string, string] } } };
    };
    const roleId = selection.Properties.BackupSelection.IamRoleArn['Fn::GetAtt'][0];
    const role = template.findResources('AWS::IAM::Role')[roleId] as {
      Properties: { ManagedPolicyArns: unknown[] };
    };

    expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toContain(
      'service-role/AWSBackupServiceRolePolicyForRestores',
    );
    template.hasOutput('BackupRoleArn', { Value: { 'Fn::GetAtt': [roleId, 'Arn'] } });
  });

  it('creates no backup plan when backups are off', () => {
    const { template: withoutBackup } = synthData({ backup: false });

    withoutBackup.resourceCountIs('AWS::Backup::BackupPlan', 0);
    withoutBackup.resourceCountIs('AWS::DynamoDB::Table', TABLES.length);
  });

  it('fails to find a table it was not given', () => {
    const { stack: workOnly } = synthData({ definitions: [TABLES[0] as TableDefinition] });

    expect(() => workOnly.tableFor(eventsTable)).toThrow('The data stack has no table Events');
  });
});

const leaderboard: TableDefinition = {
  id: 'Leaderboard',
  partitionKey: { name: 'team', type: 'S' },
  sortKey: { name: 'score', type: 'N' },
  indexes: [{ indexName: 'byScore', partitionKey: { name: 'score', type: 'N' }, projection: 'KEYS_ONLY' }],
};

describe('CoordTable', () => {
  it('maps number keys and keys-only projections from the definition', () => {
    const stack = new Stack(appWithoutBundling(), 'Tables');
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
