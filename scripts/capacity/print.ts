/** The capacity report as text: one table per profile, then the flagged partitions, the bill and the concurrency. */
import { type CostReport, costOf, DEFAULT_ACCOUNT_CONCURRENCY } from './cost';
import {
  type CapacityReport,
  FAIL_SHARE,
  type HotPartition,
  ON_DEMAND_TABLE_QUOTA,
  WARN_SHARE,
} from './model';
import { PRICE_REGION } from './pricing';

const percent = (share: number): string => `${(share * 100).toFixed(1)} %`;
const units = (value: number): string => (value >= 100 ? value.toFixed(0) : value.toFixed(1));
const usd = (value: number): string => `$${value.toFixed(2)}`;

const flag = (share: number): string => {
  if (share > FAIL_SHARE) return 'OVER 80 %';
  return share > WARN_SHARE ? 'over 50 %' : '';
};

const capCell = (concurrency: number, cap: number | undefined): string => {
  if (cap === undefined) return '-';
  return concurrency > cap ? `${cap} (TOO LOW)` : String(cap);
};

const surfaceOf = (hot: HotPartition): string =>
  hot.index === undefined ? hot.table : `${hot.table}.${hot.index}`;

const table = (header: readonly string[], rows: readonly (readonly string[])[]): string[] => [
  `| ${header.join(' | ')} |`,
  `|${header.map(() => '---').join('|')}|`,
  ...rows.map((row) => `| ${row.join(' | ')} |`),
];

/** The report of one profile, as Markdown. */
export const printReport = (report: CapacityReport, cost: CostReport = costOf(report)): string => {
  const { profile } = report;
  const lines = [
    `### ${profile.name}: ${profile.summary}`,
    '',
    `${profile.agents} agents, ${profile.teams} team(s), skew ${profile.teamSkew}, heartbeat every ${profile.heartbeatIntervalSec} s, ` +
      `${profile.claimCyclesPerSec} cycles/s with ${profile.progressReportsPerCycle} progress reports each, backlog ${profile.backlog}, ` +
      `${profile.dashboardViewers} dashboards, sweep every ${profile.sweepIntervalSec} s, ${profile.producers} producer(s), ready shards ${report.readyShards}.`,
    '',
    'Hottest partition of every table and index (limits: 1,000 WCU/s and 3,000 RCU/s per partition):',
    '',
    ...table(
      ['table.index', 'hottest key', 'WCU/s', 'RCU/s', 'share', 'flag'],
      report.hottest.map((hot) => [
        surfaceOf(hot),
        `\`${hot.pattern}\``,
        units(hot.writeUnitsPerSec),
        units(hot.readUnitsPerSec),
        percent(hot.share),
        flag(hot.share),
      ]),
    ),
    '',
  ];
  if (report.flagged.length > 0) {
    lines.push(
      'Every partition over 50 %:',
      '',
      ...table(
        ['table.index', 'key', 'WCU/s', 'RCU/s', 'share'],
        report.flagged.map((hot) => [
          surfaceOf(hot),
          `\`${hot.partition}\``,
          units(hot.writeUnitsPerSec),
          units(hot.readUnitsPerSec),
          percent(hot.share),
        ]),
      ),
      '',
    );
  }
  lines.push(
    `Request units per table and index (on-demand quota per table and per index: ${ON_DEMAND_TABLE_QUOTA} each way by default):`,
    '',
    ...table(
      ['table.index', 'WRU/s', 'RRU/s', 'flag'],
      report.billedBySurface.map((load) => [
        load.surface,
        units(load.writes),
        units(load.reads),
        Math.max(load.writes, load.reads) > ON_DEMAND_TABLE_QUOTA ? 'OVER QUOTA' : '',
      ]),
    ),
    '',
  );
  const bill = cost.perMillionCycles;
  lines.push(
    `Cost per million claim cycles (${PRICE_REGION}, on-demand; DynamoDB ${units(report.billedWritesPerSec)} WRU/s and ${units(report.billedReadsPerSec)} RRU/s billed):`,
    '',
    ...table(
      [
        'DynamoDB writes',
        'DynamoDB reads',
        'Lambda requests',
        'Lambda GB-s',
        'HTTP API',
        'SQS',
        'WebSocket',
        'total',
      ],
      [
        [
          usd(bill.dynamoWrites),
          usd(bill.dynamoReads),
          usd(bill.lambdaRequests),
          usd(bill.lambdaCompute),
          usd(bill.httpApi),
          usd(bill.sqs),
          usd(bill.webSocket),
          `**${usd(bill.total)}**`,
        ],
      ],
    ),
    '',
    `HTTP API: ${units(cost.httpRequestsPerSec)} requests/s against the prod stage's rate limit of ${cost.prodHttpRateLimit ?? 'none'}` +
      (cost.prodHttpRateLimit !== undefined && cost.httpRequestsPerSec > cost.prodHttpRateLimit
        ? ' (TOO LOW).'
        : '.'),
    '',
    `Lambda concurrency: ${units(cost.totalConcurrency)} on average against the account default of ${DEFAULT_ACCOUNT_CONCURRENCY}:`,
    '',
    ...table(
      ['function', 'invocations/s', 'memory MiB', 'duration ms', 'concurrency', 'reserve', 'prod cap'],
      cost.functions.map((f) => [
        f.fn,
        units(f.invocationsPerSec),
        String(f.memoryMiB),
        String(f.durationMs),
        units(f.concurrency),
        String(f.suggestedReserved),
        capCell(f.concurrency, f.prodCap),
      ]),
    ),
    '',
  );
  return lines.join('\n');
};
