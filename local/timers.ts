/**
 * The local stand-in for EventBridge schedules: runs each scheduled function's handler module
 * (the file Lambda runs) on a timer, with a ScheduledEvent and a Lambda context. A tick that
 * finds the previous run still going is skipped, as a run that outlasts its interval on AWS
 * would overlap instead; the sweeper is safe either way, and skipping keeps a slow laptop calm.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { sweeperSchedule } from '#functions/shared/schedules';
import { lambdaContext } from './api-gateway-event';
import type { InvocationObservation } from './otel';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A scheduled Lambda handler. */
export type ScheduledHandler = (event: ScheduledEvent, context: Context) => Promise<unknown>;

/** One scheduled function. */
export interface TimerDefinition {
  /** The function's name, e.g. `sweeper`. */
  readonly id: string;
  /** Handler module, relative to the project root; it exports `handler`. */
  readonly entry: string;
  readonly intervalMs: number;
}

/** Options for {@link startTimers}. */
export interface TimersOptions {
  readonly timers: readonly TimerDefinition[];
  /** @default us-east-1 */
  readonly region?: string;
  /** A run taking longer counts as failed (its work is bounded, so this only catches a hang). @default 60 s */
  readonly timeoutMs?: number;
  /** Told about failed runs. @default writes to stderr */
  readonly onError?: (timer: TimerDefinition, error: unknown) => void;
  /**
   * Watches every run (e.g. as a trace span, `./otel`), told the run's `awsRequestId`; the handler
   * runs inside `within`. @default none
   */
  readonly observe?: (timer: TimerDefinition, requestId: string) => InvocationObservation;
}

/** Running timers. */
export interface Timers {
  /** Stops the timers and waits for running handlers to finish. Safe to call twice. */
  stop(): Promise<void>;
}

/** The sweeper's schedule (`schedules.ts`), every `intervalMs` instead of every minute. */
export const sweeperTimer = (intervalMs: number): TimerDefinition => ({
  id: sweeperSchedule.id,
  entry: sweeperSchedule.entry,
  intervalMs,
});

const importHandler = async (entry: string): Promise<ScheduledHandler> => {
  const module = (await import(pathToFileURL(join(PROJECT_ROOT, entry)).href)) as { handler?: unknown };
  if (typeof module.handler !== 'function') throw new Error(`${entry} exports no handler function`);
  return module.handler as ScheduledHandler;
};

const scheduledEvent = (timer: TimerDefinition, region: string): ScheduledEvent => ({
  version: '0',
  id: randomUUID(),
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '000000000000',
  time: new Date().toISOString(),
  region,
  resources: [`arn:aws:events:${region}:000000000000:rule/coord-local-${timer.id}`],
  detail: {},
});

const withTimeout = async <T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
};

/** Starts one timer per definition; the first run comes one interval after the start. */
export const startTimers = (options: TimersOptions): Timers => {
  const region = options.region ?? 'us-east-1';
  const timeoutMs = options.timeoutMs ?? 60_000;
  const onError =
    options.onError ??
    ((timer: TimerDefinition, error: unknown) => console.error(`[local-timer] ${timer.id} failed:`, error));
  const running = new Set<Promise<void>>();
  let stopped = false;
  const intervals = options.timers.map((timer) => {
    let handler: Promise<ScheduledHandler> | undefined;
    let busy = false;
    const tick = () => {
      if (busy || stopped) return;
      busy = true;
      handler ??= importHandler(timer.entry).catch((error: unknown) => {
        handler = undefined;
        throw error;
      });
      const context = lambdaContext(`coord-local-${timer.id}`, timeoutMs, region);
      const observation = options.observe?.(timer, context.awsRequestId);
      const run = handler
        .then((loaded) => {
          const invocation = () => loaded(scheduledEvent(timer, region), context);
          return withTimeout(
            observation ? observation.within(invocation) : invocation(),
            timeoutMs,
            `${timer.id} run`,
          );
        })
        .then(
          () => observation?.ended({ failed: new Set() }),
          (error: unknown) => {
            observation?.ended({ error });
            onError(timer, error);
          },
        )
        .finally(() => {
          busy = false;
          running.delete(run);
        });
      running.add(run);
    };
    return setInterval(tick, timer.intervalMs);
  });
  let stopping: Promise<void> | undefined;
  return {
    stop: () => {
      stopping ??= (async () => {
        stopped = true;
        for (const interval of intervals) clearInterval(interval);
        await Promise.all(running);
      })();
      return stopping;
    },
  };
};
