import { RemovalPolicy } from 'aws-cdk-lib';
import {
  type Attribute,
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
} from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { type KeyAttribute, type TableDefinition, tableName } from '#adapters/dynamo/tables';

/** Properties of a {@link CoordTable}. */
export interface CoordTableProps {
  /** The table's keys, indexes, TTL and stream, shared with the local runtime. */
  readonly definition: TableDefinition;
  /** Deployment prefix; the physical name is `<prefix>-<definition.id>`, which is what the handlers expect. */
  readonly tablePrefix: string;
  /**
   * Whether this is a production deployment: turns on deletion protection and keeps the table
   * when the stack is deleted.
   * @default false: the table has no deletion protection and is destroyed with its stack
   */
  readonly isProd?: boolean;
}

const attribute = (key: KeyAttribute): Attribute => ({
  name: key.name,
  type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER,
});

/**
 * One DynamoDB table built from its {@link TableDefinition}: on-demand billing, point-in-time
 * recovery, the definition's GSIs, TTL and stream, and deletion protection in production.
 */
export class CoordTable extends Construct {
  /** The table. */
  public readonly table: Table;

  constructor(scope: Construct, id: string, props: CoordTableProps) {
    super(scope, id);
    const { definition, isProd = false } = props;

    this.table = new Table(this, 'Table', {
      tableName: tableName(props.tablePrefix, definition),
      partitionKey: attribute(definition.partitionKey),
      ...(definition.sortKey && { sortKey: attribute(definition.sortKey) }),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: isProd,
      removalPolicy: isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      ...(definition.ttlAttribute && { timeToLiveAttribute: definition.ttlAttribute }),
      ...(definition.stream && { stream: StreamViewType.NEW_IMAGE }),
    });

    for (const index of [...definition.indexes, ...(definition.retiringIndexes ?? [])]) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: attribute(index.partitionKey),
        ...(index.sortKey && { sortKey: attribute(index.sortKey) }),
        projectionType: index.projection === 'KEYS_ONLY' ? ProjectionType.KEYS_ONLY : ProjectionType.ALL,
      });
    }
  }
}
