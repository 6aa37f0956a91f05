/**
 * Counts what the service asks of DynamoDB while the local stack runs in this process: items
 * written (a transaction's writes one by one, condition checks not), and claim transactions the
 * store refused because a condition failed (a lost race). Nothing is changed: every call goes on
 * as it would.
 *
 * It wraps `send` of the SDK's base client once, so it sees the service's own clients (built by
 * the handlers' wiring) without reaching into them. Only DynamoDB commands are counted.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** What the probe saw since the last {@link StoreProbe.reset}. */
export interface StoreCounts {
  /** Items written: puts, updates and deletes, each write of a transaction or batch counted. */
  readonly itemsWritten: number;
  /** Items written per table (the table name without the stage prefix is what differs). */
  readonly itemsWrittenByTable: Readonly<Record<string, number>>;
  /** Claim transactions sent (a transaction that moves an item to `claimed`). */
  readonly claimTransactions: number;
  /** Claim transactions refused because a condition failed: lost races. */
  readonly lostClaimRaces: number;
  /** Store calls that failed for any other reason (throttles, timeouts). */
  readonly otherFailures: number;
  /** Store calls by command, table and index (`QueryCommand Work ready`), failed ones included. */
  readonly calls: Readonly<Record<string, number>>;
  /** Items the queries and scans returned, by the same keys as `calls`. */
  readonly itemsRead: Readonly<Record<string, number>>;
}

interface Counter {
  itemsWritten: number;
  itemsWrittenByTable: Record<string, number>;
  claimTransactions: number;
  lostClaimRaces: number;
  otherFailures: number;
  calls: Record<string, number>;
  itemsRead: Record<string, number>;
}

type Input = Record<string, unknown>;
type TransactItem = Record<string, { TableName?: string; Item?: Record<string, unknown> } | undefined>;

const fresh = (): Counter => ({
  itemsWritten: 0,
  itemsWrittenByTable: {},
  claimTransactions: 0,
  lostClaimRaces: 0,
  otherFailures: 0,
  calls: {},
  itemsRead: {},
});

/** The status of a put item, from a document (`'claimed'`) or a marshalled (`{S: 'claimed'}`) item. */
const statusOf = (item: Record<string, unknown> | undefined): unknown => {
  const status = item?.status;
  return typeof status === 'object' && status !== null ? (status as { S?: unknown }).S : status;
};

/** Tables and item counts one command writes. */
const writesOf = (name: string, input: Input): [string, number][] => {
  if (/^(Put|Update|Delete)(Item)?Command$/.test(name)) return [[String(input.TableName), 1]];
  if (/^TransactWrite(Items)?Command$/.test(name)) {
    return ((input.TransactItems as TransactItem[] | undefined) ?? []).flatMap((entry) => {
      const [kind, body] = Object.entries(entry)[0] ?? [];
      return kind === 'ConditionCheck' || !body ? [] : [[String(body.TableName), 1] as [string, number]];
    });
  }
  if (/^BatchWrite(Item)?Command$/.test(name)) {
    return Object.entries((input.RequestItems as Record<string, unknown[]>) ?? {}).map(
      ([table, requests]) => [table, requests.length],
    );
  }
  return [];
};

const isClaim = (name: string, input: Input): boolean =>
  /^TransactWrite(Items)?Command$/.test(name) &&
  ((input.TransactItems as TransactItem[] | undefined) ?? []).some(
    (entry) => statusOf(entry.Put?.Item) === 'claimed',
  );

const isConditionFailure = (error: unknown): boolean => {
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  return (
    (error as { name?: string }).name === 'ConditionalCheckFailedException' ||
    (reasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed')
  );
};

/** A call's key: command, table and index (`QueryCommand Work ready`). */
const keyOf = (name: string, input: Input): string => {
  const tables =
    typeof input.TableName === 'string'
      ? [input.TableName]
      : [...new Set(writesOf(name, input).map(([table]) => table))];
  // Table names are `<prefix>-<Table>`: keep the table's own name.
  const index = typeof input.IndexName === 'string' ? ` ${input.IndexName}` : '';
  return `${name} ${tables.map((t) => t.slice(t.lastIndexOf('-') + 1)).join('+')}${index}`.trim();
};

/** The probe, installed on first use; counting is off until {@link StoreProbe.reset}. */
export class StoreProbe {
  private counter = fresh();
  private on = false;

  private constructor() {}

  private static instance: StoreProbe | undefined;

  /** Installs the probe (once per process) and returns it. */
  static install(): StoreProbe {
    if (StoreProbe.instance) return StoreProbe.instance;
    const probe = new StoreProbe();
    // The smithy base client: DynamoDBClient and DynamoDBDocumentClient both send through it.
    const base = Object.getPrototypeOf(DynamoDBClient.prototype) as {
      send: (
        command: { constructor: { name: string }; input: Input },
        ...rest: unknown[]
      ) => Promise<unknown>;
    };
    const send = base.send;
    base.send = async function (this: { config?: { serviceId?: string } }, command, ...rest) {
      if (!probe.on || this.config?.serviceId !== 'DynamoDB') return send.call(this, command, ...rest);
      const name = command.constructor.name;
      const claim = isClaim(name, command.input);
      probe.countCall(name, command.input);
      try {
        const result = await send.call(this, command, ...rest);
        probe.count(name, command.input, claim);
        const items = (result as { Items?: unknown } | undefined)?.Items;
        if (Array.isArray(items)) probe.countRead(name, command.input, items.length);
        return result;
      } catch (error) {
        if (claim) probe.counter.claimTransactions += 1;
        if (claim && isConditionFailure(error)) probe.counter.lostClaimRaces += 1;
        else if (!isConditionFailure(error)) probe.counter.otherFailures += 1;
        throw error;
      }
    };
    StoreProbe.instance = probe;
    return probe;
  }

  private countCall(name: string, input: Input): void {
    const key = keyOf(name, input);
    this.counter.calls[key] = (this.counter.calls[key] ?? 0) + 1;
  }

  private countRead(name: string, input: Input, items: number): void {
    const key = keyOf(name, input);
    this.counter.itemsRead[key] = (this.counter.itemsRead[key] ?? 0) + items;
  }

  private count(name: string, input: Input, claim: boolean): void {
    if (claim) this.counter.claimTransactions += 1;
    for (const [table, items] of writesOf(name, input)) {
      this.counter.itemsWritten += items;
      this.counter.itemsWrittenByTable[table] = (this.counter.itemsWrittenByTable[table] ?? 0) + items;
    }
  }

  /** Starts counting from zero. */
  reset(): void {
    this.counter = fresh();
    this.on = true;
  }

  /** What was counted since the last reset. */
  read(): StoreCounts {
    return {
      ...this.counter,
      itemsWrittenByTable: { ...this.counter.itemsWrittenByTable },
      calls: { ...this.counter.calls },
      itemsRead: { ...this.counter.itemsRead },
    };
  }

  /** Stops counting. */
  pause(): void {
    this.on = false;
  }
}
