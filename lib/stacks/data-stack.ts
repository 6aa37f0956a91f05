import { CfnOutput, RemovalPolicy, SecretValue, Stack, type StackProps } from 'aws-cdk-lib';
import { BackupPlan, BackupResource } from 'aws-cdk-lib/aws-backup';
import { type ITable, Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { TABLES, type TableDefinition, tableName } from '#adapters/dynamo/tables';
import { ANTHROPIC_KEY_PLACEHOLDER } from '#app/config';
import { CoordTable } from '../constructs/coord-table';
import type { TableSource } from '../stage-config';
import { registerTable } from '../table-access';

/** Properties of the {@link DataStack}. */
export interface DataStackProps extends StackProps {
  /** Deployment prefix of the physical table names, e.g. `coord-dev`. */
  readonly tablePrefix: string;
  /**
   * Whether this is a production deployment (deletion protection, tables kept on stack deletion).
   * @default false
   */
  readonly isProd?: boolean;
  /**
   * Whether an AWS Backup plan (daily, kept 35 days) covers the tables.
   * @default true
   */
  readonly backup?: boolean;
  /**
   * Whether the stack creates the tables or references existing ones (restored into new tables).
   * @default the stack creates them
   */
  readonly tableSource?: TableSource;
  /**
   * The tables to create.
   * @default every table of `tables.ts`
   */
  readonly definitions?: readonly TableDefinition[];
}

/** The variable a function that calls Claude reads the Anthropic key secret's ARN from. */
export const ANTHROPIC_KEY_SECRET_VARIABLE = 'ANTHROPIC_API_KEY_SECRET_ARN';

/**
 * Lets `fn` call Claude: read access to the Anthropic key secret and its ARN as
 * `ANTHROPIC_API_KEY_SECRET_ARN`.
 */
export const grantAnthropicKey = (secret: ISecret, fn: LambdaFunction): void => {
  secret.grantRead(fn);
  fn.addEnvironment(ANTHROPIC_KEY_SECRET_VARIABLE, secret.secretArn);
};

/**
 * The DynamoDB tables, built from the same definitions the local runtime uses, and their backups;
 * and the Anthropic key secret, which every stack whose functions call Claude (the API's AI
 * routes, the WebSocket `ask`, the sweeper's health assessment) reads, so none of them has to be
 * built before another for it.
 */
export class DataStack extends Stack {
  /** Each table, by its definition id (`Work`, `Agents`, ...). */
  public readonly tables: ReadonlyMap<string, ITable>;
  /** The backup plan, when backups are on. */
  public readonly backupPlan?: BackupPlan;
  /** The Anthropic API key: a placeholder (the heuristic answers) until an operator stores a real key. */
  public readonly anthropicApiKeySecret: Secret;
  /**
   * The secret GitHub signs issue webhooks with: a placeholder (the route answers 403) until an
   * operator stores the secret set on the GitHub webhook.
   */
  public readonly githubWebhookSecret: Secret;

  /** @throws Error when imported tables lack the stream ARN of a table that streams. */
  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const source = props.tableSource ?? { kind: 'create' };
    const tables = new Map<string, ITable>();
    for (const definition of props.definitions ?? TABLES) {
      const table = this.tableOf(definition, props, source);
      registerTable(table, definition);
      tables.set(definition.id, table);
    }
    this.tables = tables;

    if (props.backup ?? true) {
      this.backupPlan = BackupPlan.daily35DayRetention(this, 'Backup');
      const selection = this.backupPlan.addSelection('Tables', {
        resources: [...tables.values()].map((table) => BackupResource.fromDynamoDbTable(table)),
        // The same role restores a recovery point into new tables (docs/runbook.md).
        allowRestores: true,
      });
      new CfnOutput(this, 'BackupRoleArn', {
        value: (selection.grantPrincipal as IRole).roleArn,
        description:
          'IAM role AWS Backup uses for these tables: the --iam-role-arn of a restore job (docs/runbook.md)',
      });
    }

    this.anthropicApiKeySecret = new Secret(this, 'AnthropicApiKey', {
      description: `Anthropic API key of ${props.tablePrefix} (a placeholder answers from the heuristic)`,
      // Not a secret: a placeholder the functions recognise as "no key" until a real one is put here.
      secretStringValue: SecretValue.unsafePlainText(ANTHROPIC_KEY_PLACEHOLDER),
      removalPolicy: props.isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    new CfnOutput(this, 'AnthropicApiKeySecretArn', {
      value: this.anthropicApiKeySecret.secretArn,
      description: 'Secrets Manager secret to put the Anthropic API key in (turns Claude on everywhere)',
    });

    this.githubWebhookSecret = new Secret(this, 'GithubWebhookSecret', {
      description: `GitHub webhook secret of ${props.tablePrefix} (a placeholder refuses every delivery)`,
      // Not a secret: a placeholder read as "not configured" until the webhook's secret is put here.
      secretStringValue: SecretValue.unsafePlainText(ANTHROPIC_KEY_PLACEHOLDER),
      removalPolicy: props.isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    new CfnOutput(this, 'GithubWebhookSecretArn', {
      value: this.githubWebhookSecret.secretArn,
      description:
        'Secrets Manager secret to put the GitHub webhook secret in (turns POST /v1/integrations/github on)',
    });
  }

  /** Lets `fn` call Claude: read access to the Anthropic key and its ARN as `ANTHROPIC_API_KEY_SECRET_ARN`. */
  public grantAnthropicKey(fn: LambdaFunction): void {
    grantAnthropicKey(this.anthropicApiKeySecret, fn);
  }

  /**
   * The table built from this definition.
   * @throws Error when the stack has no such table.
   */
  public tableFor(definition: TableDefinition): ITable {
    const table = this.tables.get(definition.id);
    if (!table) throw new Error(`The data stack has no table ${definition.id}`);
    return table;
  }

  private tableOf(definition: TableDefinition, props: DataStackProps, source: TableSource): ITable {
    if (source.kind === 'create') {
      return new CoordTable(this, definition.id, {
        definition,
        tablePrefix: props.tablePrefix,
        isProd: props.isProd ?? false,
      }).table;
    }
    const streamArn = source.streamArns[definition.id];
    if (definition.stream && !streamArn) {
      throw new Error(
        `Imported table ${definition.id} streams: give its stream ARN in the stage config (tableSource.streamArns.${definition.id})`,
      );
    }
    return Table.fromTableAttributes(this, definition.id, {
      tableName: tableName(props.tablePrefix, definition),
      // Grants then cover `<table>/index/*`, which the handlers query.
      grantIndexPermissions: definition.indexes.length > 0,
      ...(streamArn && { tableStreamArn: streamArn }),
    });
  }
}
