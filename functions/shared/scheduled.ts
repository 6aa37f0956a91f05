/**
 * The one middy chain every scheduled function uses (EventBridge on AWS, a timer locally). It
 * starts like the HTTP and queue chains (trace, log context, metrics, so they cover every later
 * step) and names the task on every log line and metric. An error fails the invocation: the
 * schedule invokes again at its next tick, which is how a scheduled task retries.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { logger, metrics, observeMetrics, TRACE_OPTIONS, tracer, withMessageOrigin } from './observability';

/** What a scheduled task does on each tick. */
export interface ScheduledTaskSpec<R> {
  /** The task's name (`sweep`): the `task` key of log lines and the metrics dimension. */
  readonly task: string;
  readonly run: (event: ScheduledEvent, context: Context) => Promise<R>;
}

/** A scheduled task's Lambda handler. */
export type ScheduledHandler<R> = (event: ScheduledEvent, context: Context) => Promise<R>;

/** A scheduled function's handler: `export const handler = scheduledTask({ task, run })`. */
export const scheduledTask = <R>(spec: ScheduledTaskSpec<R>): ScheduledHandler<R> =>
  middy<ScheduledEvent, R>()
    .use(captureLambdaHandler(tracer, TRACE_OPTIONS))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(observeMetrics())
    .use({
      before: () => {
        logger.appendKeys({ task: spec.task });
        metrics.addDimension('task', spec.task);
      },
    })
    // The run's id goes on every queue message it sends (escalations of the sweeper).
    .handler((event, context) =>
      withMessageOrigin({ requestId: context.awsRequestId }, () => spec.run(event, context)),
    );
