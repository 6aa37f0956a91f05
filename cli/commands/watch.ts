/**
 * `coord watch [--channel C ...] [--exec CMD]`: follows `GET /v1/events` and prints each live
 * message (or runs CMD for it), resuming after a restart from the cursor of the last event it
 * handled. That cursor is saved under the state folder after each event, so a watch stopped at
 * any moment sees every later event once it runs again (an event being handled when it stopped
 * may come twice; none is lost). A stream ends after a while by design; the watch reconnects
 * with its cursor, and after a failure waits a little longer each time (at most 30 s).
 */
import { spawn } from 'node:child_process';
import { requireTeam } from '../args';
import { type Command, type CommandContext, readerClient, stringOption } from '../command';
import { CommandFailure, say, UsageError, warn } from '../io';
import { LEGACY_DEFAULT_TEAM } from '../legacy/fields';
import { printable } from '../text';

const MAX_BACKOFF_MS = 30_000;
const FIRST_BACKOFF_MS = 1_000;

/** One server-sent event. */
interface StreamEvent {
  readonly id?: string;
  readonly event: string;
  readonly data: string;
}

/** Splits server-sent event text into events; returns them and the unfinished rest. */
export const parseEvents = (text: string): { events: StreamEvent[]; rest: string } => {
  const events: StreamEvent[] = [];
  const blocks = text.replaceAll('\r\n', '\n').split('\n\n');
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    let id: string | undefined;
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length > 0) events.push({ ...(id === undefined ? {} : { id }), event, data: data.join('\n') });
  }
  return { events, rest };
};

/** The channels to watch: `--channel` (repeatable, or comma-separated), else the configured team's. */
const channelsOf = async (context: CommandContext): Promise<string[]> => {
  const given = context.values.channel;
  const listed = (Array.isArray(given) ? given : given === undefined ? [] : [given])
    .flatMap((value) => String(value).split(','))
    .map((value) => value.trim())
    .filter((value) => value !== '');
  if (listed.length > 0) return [...new Set(listed)].sort();
  const team = requireTeam((await context.config()).team ?? LEGACY_DEFAULT_TEAM);
  return [`team:${team}`];
};

/** Runs CMD through the shell with the message on stdin and in the environment; resolves its exit code. */
const runFor = (context: CommandContext, command: string, cursor: string, message: string): Promise<number> =>
  new Promise((resolve) => {
    const parsed = JSON.parse(message) as { type?: string };
    const child = spawn(command, {
      shell: true,
      stdio: ['pipe', 'inherit', 'inherit'],
      env: {
        ...context.io.env,
        COORD_EVENT: message,
        COORD_EVENT_TYPE: parsed.type ?? '',
        COORD_EVENT_CURSOR: cursor,
      },
    });
    child.once('error', () => resolve(127));
    child.once('close', (code) => resolve(code ?? 1));
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(`${message}\n`);
  });

/** One event, printed or handed to the command. */
const handle = async (
  context: CommandContext,
  exec: string | undefined,
  event: StreamEvent,
): Promise<void> => {
  const cursor = event.id ?? '';
  if (exec !== undefined) {
    const code = await runFor(context, exec, cursor, event.data);
    if (code !== 0)
      warn(context.io, `coord watch: '${printable(exec)}' exited ${code} for ${event.event} (${cursor})`);
    return;
  }
  const message = JSON.parse(event.data) as { type: string; at: string; data?: Record<string, unknown> };
  if (context.json) {
    // One message per line, as it came (a script reads them with `jq -c` or line by line).
    context.io.stdout.write(`${event.data}\n`);
    return;
  }
  const data = message.data ?? {};
  const subject = [
    data.entityId,
    data.team ? `team ${data.team}` : undefined,
    data.agentId ? `agent ${data.agentId}` : undefined,
  ]
    .filter((part) => part !== undefined)
    .join(' ');
  say(context.io, `${message.at} ${message.type} ${subject}`);
};

const watch: Command = {
  name: 'watch',
  group: 'checks',
  usage: '[--channel C ...] [--exec CMD]',
  summary:
    'Print live events of the channels (default team:<your team>), or run CMD per event (the message on stdin and in COORD_EVENT); resumes where it stopped',
  options: { channel: { type: 'string', multiple: true }, exec: { type: 'string' } },
  async run(context) {
    if (context.positionals.length > 0)
      throw new UsageError(`unexpected argument '${context.positionals[0]}'`);
    const channels = await channelsOf(context);
    const exec = stringOption(context, 'exec');
    const client = await readerClient(context);
    const state = await context.state();
    const key = channels.join(',');
    let cursor = (await state.loadWatchCursor(key))?.cursor;
    const save = async (next: string) => {
      cursor = next;
      await state.saveWatchCursor({ key, cursor: next, savedAt: context.io.now().toISOString() });
    };
    let backoff = FIRST_BACKOFF_MS;
    for (;;) {
      const url = new URL(`${client.baseUrl}/v1/events`);
      url.searchParams.set('channels', key);
      if (cursor !== undefined) url.searchParams.set('after', cursor);
      let response: Response;
      try {
        response = await fetch(url, {
          headers: {
            accept: 'text/event-stream',
            ...(client.token ? { authorization: `Bearer ${client.token}` } : {}),
          },
        });
      } catch (error) {
        warn(
          context.io,
          `coord watch: cannot reach ${client.baseUrl} (${(error as Error).message}); retrying`,
        );
        await context.io.sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        continue;
      }
      if (response.status >= 400 && response.status < 500 && response.status !== 429) {
        const body = await response.text();
        throw new CommandFailure(`GET /v1/events answered ${response.status}: ${body.slice(0, 300)}`);
      }
      if (response.status !== 200 || !response.body) {
        await response.body?.cancel();
        await context.io.sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        continue;
      }
      try {
        let buffer = '';
        for await (const chunk of response.body.pipeThrough(new TextDecoderStream())) {
          const { events, rest } = parseEvents(buffer + chunk);
          buffer = rest;
          for (const event of events) {
            if (event.event === 'ready' || event.event === 'end') {
              // Where the stream starts (a first watch starts now) and where it stopped.
              if (event.id) await save(event.id);
              continue;
            }
            await handle(context, exec, event);
            if (event.id) await save(event.id);
          }
        }
        backoff = FIRST_BACKOFF_MS;
      } catch (error) {
        warn(context.io, `coord watch: the stream broke (${(error as Error).message}); resuming`);
        await context.io.sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  },
};

/** `coord watch`. */
export const WATCH_COMMANDS: readonly Command[] = [watch];
