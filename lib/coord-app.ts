import type { App, Environment } from 'aws-cdk-lib';
import { agentsTable, escalationsTable, eventsTable, metaTable, workTable } from '#adapters/dynamo/tables';
import { escalationsQueue, heartbeatsQueue } from '#adapters/sqs/queues';
import type { CoordFunctionProps } from './constructs/coord-function';
import { ApiStack } from './stacks/api-stack';
import { DataStack } from './stacks/data-stack';
import { MessagingStack } from './stacks/messaging-stack';

/** How one deployment of the service is built. */
export interface CoordAppOptions {
  /** Deployment stage: lower-case letters, digits and dashes, e.g. `dev`, `prod`, `local`. */
  readonly stage: string;
  /**
   * Account and region of the stacks.
   * @default environment-agnostic stacks
   */
  readonly env?: Environment;
  /**
   * Settings shared by every function (project root, bundling).
   * @default the CoordFunction defaults
   */
  readonly functionDefaults?: Omit<CoordFunctionProps, 'entry' | 'environment'>;
}

/** The stacks of one deployment. */
export interface CoordStacks {
  readonly data: DataStack;
  readonly messaging: MessagingStack;
  readonly api: ApiStack;
}

/** Stage whose tables get deletion protection and whose data outlives its stacks. */
export const PRODUCTION_STAGE = 'prod';
/** Stage deployed to LocalStack, which lacks AWS Backup, so the backup plan is left out. */
export const LOCALSTACK_STAGE = 'local';

// The HTTP handlers never touch the Connections table: the WebSocket side owns it.
const HTTP_TABLES = [workTable, agentsTable, eventsTable, metaTable, escalationsTable];

const STAGE_PATTERN = /^[a-z][a-z0-9-]{0,23}$/;

/**
 * Adds the data, messaging and API stacks of one stage to the app; tables are named `coord-<stage>-<id>`.
 * @throws Error when the stage name is not lower-case letters, digits and dashes.
 */
export const buildCoordApp = (app: App, options: CoordAppOptions): CoordStacks => {
  const { stage } = options;
  if (!STAGE_PATTERN.test(stage)) {
    throw new Error(`Stage "${stage}" must be lower-case letters, digits and dashes, starting with a letter`);
  }
  const isProd = stage === PRODUCTION_STAGE;
  const tablePrefix = `coord-${stage}`;
  const env = options.env ?? {};

  const data = new DataStack(app, `${tablePrefix}-data`, {
    env,
    description: `coord ${stage}: DynamoDB tables and their backups`,
    tablePrefix,
    isProd,
    backup: stage !== LOCALSTACK_STAGE,
  });
  const messaging = new MessagingStack(app, `${tablePrefix}-messaging`, {
    env,
    description: `coord ${stage}: queues, their consumers and dead-letter alarms`,
    stage,
    namePrefix: tablePrefix,
    isProd,
    tables: HTTP_TABLES.map((definition) => data.tableFor(definition)),
    ...(options.functionDefaults && { functionDefaults: options.functionDefaults }),
  });
  const api = new ApiStack(app, `${tablePrefix}-api`, {
    env,
    description: `coord ${stage}: HTTP API`,
    stage,
    tablePrefix,
    isProd,
    tables: HTTP_TABLES.map((definition) => data.tableFor(definition)),
    queues: Object.fromEntries(
      [heartbeatsQueue, escalationsQueue].map((definition) => [
        definition.id,
        messaging.queueFor(definition).queue,
      ]),
    ),
    ...(options.functionDefaults && { functionDefaults: options.functionDefaults }),
  });
  return { data, messaging, api };
};
