/**
 * Legacy commands with no service call: `generate-id` stays a local helper, and commands that
 * no longer apply (ceremonies, `optimize`) say so and exit 0, so old scripts keep running.
 */
import { atMost, type Command, positional } from '../command';
import { ExitCode, say, sayJson, UsageError, warn } from '../io';

const NANOS_PER_MILLI = 1_000_000n;

/**
 * A legacy-shaped id, `<prefix>_<nanoseconds since the epoch>` (19 digits, like
 * `date +%s%N`): the clock's milliseconds plus the sub-millisecond part of a monotonic clock.
 */
export const legacyId = (prefix: string, now: Date, monotonicNanos: bigint): string =>
  `${prefix}_${BigInt(now.getTime()) * NANOS_PER_MILLI + (monotonicNanos % NANOS_PER_MILLI)}`;

const generateId: Command = {
  name: 'generate-id',
  group: 'legacy',
  usage: '[prefix=agent]',
  summary: 'Print a new legacy-style id (agent_<ns>); local, no service call',
  async run(context) {
    atMost(context, 1);
    const prefix = positional(context, 0) ?? 'agent';
    if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/.test(prefix))
      throw new UsageError(`'${prefix}' is not a usable id prefix`);
    const id = legacyId(prefix, context.io.now(), process.hrtime.bigint());
    if (context.json) sayJson(context.io, { id });
    else say(context.io, id);
    return ExitCode.Ok;
  },
};

const CEREMONIES: readonly (readonly [string, ...string[]])[] = [
  ['pi-planning'],
  ['scrum-of-scrums'],
  ['innovation-planning', 'ip'],
  ['system-demo'],
  ['inspect-adapt', 'ia'],
  ['art-sync'],
  ['portfolio-kanban'],
  ['coach-training'],
  ['value-stream', 'vsm'],
];

const ceremony = ([name, ...aliases]: readonly [string, ...string[]]): Command => ({
  name,
  aliases,
  group: 'legacy',
  usage: '',
  summary: 'Printed fixed ceremony text in the shell coordinator; no equivalent (see teams, dashboard)',
  async run(context) {
    warn(
      context.io,
      `coord: '${name}' printed fixed ceremony text in the shell coordinator and has no equivalent; ` +
        'for live team state use `coord teams` or `coord dashboard`',
    );
    return ExitCode.Ok;
  },
});

const optimize: Command = {
  name: 'optimize',
  group: 'legacy',
  usage: '',
  summary: 'Archived completed claims in swarmsh; the service keeps its own retention, nothing to do',
  async run(context) {
    warn(
      context.io,
      "coord: 'optimize' archived completed claims of the claims file; the service needs no such step (nothing done)",
    );
    return ExitCode.Ok;
  },
};

/** Legacy-only commands. */
export const LEGACY_COMMANDS: readonly Command[] = [generateId, ...CEREMONIES.map(ceremony), optimize];
