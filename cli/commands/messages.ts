/**
 * `coord say` and `coord inbox`: messages on work items and between agents and people (API.md
 * "Messages"). A message body is data someone else wrote: it is printed with control characters
 * shown as escapes, each of its lines indented under the message's header, so no body can move
 * the cursor or pass for another message.
 *
 * `say` posts go through the outbox like every other state change: a message said while the
 * service is away is sent once (same Idempotency-Key) by the next `coord` command, with the time
 * it reached the service as its `at`.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { MessageView } from '#app/schemas/messages-thread';
import { MAX_MENTIONS, MAX_MESSAGE_BODY_BYTES } from '#core/messages';
import { requireAgentId } from '../args';
import type { ApiClient } from '../client';
import {
  type Command,
  type CommandContext,
  integerIn,
  listOption,
  PAGE_OPTIONS,
  readPages,
  stringOption,
  writerClient,
} from '../command';
import { ExitCode, say, sayJson, UsageError } from '../io';
import { printable, printableBlock } from '../text';
import { parseEvents } from './watch';
import { requireText } from './work';

/** Where a message goes: an item's thread or an agent's inbox. */
export type MessageTarget = { readonly workId: string } | { readonly agentId: string };

/** How long `inbox --wait` waits without a number, and at most. */
const DEFAULT_WAIT_SECONDS = 300;
const MAX_WAIT_SECONDS = 86_400;

/**
 * Reads of a waiting inbox: 1 s, doubling, at most 5 s apart, and at once when the inbox's event
 * stream shows a message (the reads alone find them when the stream is unavailable).
 */
const FIRST_POLL_MS = 1000;
const MAX_POLL_MS = 5000;
/** A stream that ended at once is not reopened faster than this. */
const REOPEN_PAUSE_MS = 1000;

/** The messages of a target (`POST` to send, `GET` to read). */
export const messagesPath = (target: MessageTarget): string =>
  'workId' in target
    ? `/v1/work/${encodeURIComponent(target.workId)}/messages`
    : `/v1/agents/${encodeURIComponent(target.agentId)}/messages`;

/** A body the API would take (not blank, plain text, at most 8192 bytes of UTF-8). @throws UsageError */
export const requireBody = (raw: string): string => {
  if (raw.trim() === '') throw new UsageError('the message is empty');
  const bytes = Buffer.byteLength(requireText(raw, 'the message', MAX_MESSAGE_BODY_BYTES), 'utf8');
  if (bytes > MAX_MESSAGE_BODY_BYTES) {
    throw new UsageError(`the message is ${bytes} bytes long in UTF-8; at most ${MAX_MESSAGE_BODY_BYTES}`);
  }
  return raw;
};

/** Sends one message and answers it as stored. */
export const sendMessage = async (
  client: ApiClient,
  target: MessageTarget,
  body: string,
  mentions: readonly string[] = [],
): Promise<MessageView> =>
  (
    await client.request<MessageView>('POST', messagesPath(target), {
      body: { body, ...(mentions.length > 0 ? { mentions } : {}) },
    })
  ).body;

/** Marks an agent's inbox read up to (and with) this message. */
export const markRead = async (client: ApiClient, agentId: string, upTo: string): Promise<void> => {
  await client.request('POST', `${messagesPath({ agentId })}/read`, { body: { upTo } });
};

/** The newest of some messages (what `read {upTo}` takes), whatever order they came in. */
export const newestOf = (messages: readonly MessageView[]): MessageView | undefined =>
  messages.reduce<MessageView | undefined>(
    (newest, message) =>
      !newest || message.at > newest.at || (message.at === newest.at && message.id > newest.id)
        ? message
        : newest,
    undefined,
  );

/** What one wait needs: how to read what is unread, and how long to wait for it. */
export interface InboxWait {
  readonly client: ApiClient;
  /** The event stream channels whose `message` events may be for this inbox. */
  readonly channels: readonly string[];
  /** Reads the unread messages (empty when there are none). */
  readonly readUnread: () => Promise<MessageView[]>;
  readonly waitMs: number;
  /** The longest pause between two reads. @default 5 s */
  readonly maxPollMs?: number;
  readonly sleep: (milliseconds: number) => Promise<void>;
}

/** Wakes a waiting inbox early: the agent's channels on the event stream, followed in the background. */
interface StreamCue {
  /**
   * Waits `milliseconds`, or less when a `message` event came (or had come since the last
   * pause); resolves how long it waited.
   */
  pause(milliseconds: number): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Follows channels on `GET /v1/events`, reopening each stream after its last cursor. While no
 * stream is open (refused, missing, unreachable, or not yet answered) a pause is a plain sleep,
 * so the polling it paces works the same without it.
 */
const followChannels = (
  client: ApiClient,
  channels: readonly string[],
  sleep: (milliseconds: number) => Promise<void>,
): StreamCue => {
  const controller = new AbortController();
  let isOpen = false;
  let cued = false;
  let wake: (() => void) | undefined;
  const cue = () => {
    cued = true;
    wake?.();
  };
  const follow = async () => {
    let cursor: string | undefined;
    while (!controller.signal.aborted) {
      const url = new URL(`${client.baseUrl}/v1/events`);
      url.searchParams.set('channels', channels.join(','));
      if (cursor !== undefined) url.searchParams.set('after', cursor);
      const response = await fetch(url, {
        headers: {
          accept: 'text/event-stream',
          ...(client.token ? { authorization: `Bearer ${client.token}` } : {}),
        },
        signal: controller.signal,
      });
      if (response.status !== 200 || !response.body) {
        await response.body?.cancel();
        return;
      }
      isOpen = true;
      let buffer = '';
      for await (const chunk of response.body.pipeThrough(new TextDecoderStream())) {
        const parsed = parseEvents(buffer + chunk);
        buffer = parsed.rest;
        for (const event of parsed.events) {
          // The first stream starts at its `ready`: a message that came between the first read
          // and then is found by reading once more.
          if (event.event === 'ready' && cursor === undefined) cue();
          if (event.id) cursor = event.id;
          if (event.event === 'message') cue();
        }
      }
      // Streams end after a while by design: the next one starts after the last cursor.
      await delay(REOPEN_PAUSE_MS, undefined, { signal: controller.signal });
    }
  };
  const followed = follow()
    .catch(() => undefined)
    .finally(() => {
      isOpen = false;
      wake?.();
    });
  return {
    pause: (milliseconds) => {
      if (cued) {
        cued = false;
        return Promise.resolve(0);
      }
      if (!isOpen) return sleep(milliseconds).then(() => milliseconds);
      const startedAt = Date.now();
      return new Promise<number>((resolve) => {
        const timer = setTimeout(() => wake?.(), milliseconds);
        wake = () => {
          clearTimeout(timer);
          wake = undefined;
          cued = false;
          resolve(Math.min(milliseconds, Date.now() - startedAt));
        };
      });
    },
    stop: async () => {
      controller.abort();
      await followed;
    },
  };
};

/**
 * The unread messages as soon as there is one (at once when some already wait), or none once
 * `waitMs` passed. Reads again and again, further apart each time (1 s doubling to `maxPollMs`, 5 s
 * unless told), and at once when the event stream of the agent's channels shows a `message` event.
 */
export const waitForUnread = async (wait: InboxWait): Promise<MessageView[]> => {
  const stream = followChannels(wait.client, wait.channels, wait.sleep);
  try {
    let waited = 0;
    let pause = FIRST_POLL_MS;
    for (;;) {
      const waiting = await wait.readUnread();
      if (waiting.length > 0 || waited >= wait.waitMs) return waiting;
      waited += await stream.pause(Math.min(pause, wait.waitMs - waited));
      pause = Math.min(pause * 2, wait.maxPollMs ?? MAX_POLL_MS);
    }
  } finally {
    await stream.stop();
  }
};

/**
 * Where a message for the agent shows on the event stream: its inbox (direct messages and
 * mentions), which the stream shows to that agent's token and to admins.
 */
const channelsOfInbox = (agentId: string): string[] => [`inbox:${agentId}`];

/** How to read an inbox. */
export interface InboxRead {
  /** Only the unread messages (implied by `waitMs`). */
  readonly unread: boolean;
  /** Wait this long for one when none is unread. @default no wait */
  readonly waitMs?: number;
  /** While waiting, the longest pause between two reads. @default 5 s */
  readonly maxPollMs?: number;
  /** Leave them unread. @default false: marked read up to the newest read */
  readonly peek: boolean;
}

/**
 * Reads an agent's inbox (one page, or what `--limit`, `--cursor` and `--all` ask for), waiting
 * first when told to, and marks what it read as read.
 */
export const takeInbox = async (
  context: CommandContext,
  client: ApiClient,
  agentId: string,
  how: InboxRead,
): Promise<MessageView[]> => {
  const path = messagesPath({ agentId });
  const read = async (unread: boolean) =>
    (await readPages<MessageView>(context, client, path, { unread: unread ? '1' : undefined })).items;
  const messages =
    how.waitMs === undefined
      ? await read(how.unread)
      : await waitForUnread({
          client,
          channels: channelsOfInbox(agentId),
          readUnread: () => read(true),
          waitMs: how.waitMs,
          ...(how.maxPollMs !== undefined && { maxPollMs: how.maxPollMs }),
          sleep: context.io.sleep,
        });
  const newest = newestOf(messages);
  if (newest && !how.peek) await markRead(client, agentId, newest.id);
  return messages;
};

/** One message for a person: a header line, then the body indented, all of it printable. */
const messageLines = (message: MessageView): string[] => {
  const where = message.workId ? ` on ${message.workId}` : '';
  const addressed = [...(message.to ? [message.to] : []), ...message.mentions];
  const mentions = addressed.length > 0 ? ` to ${addressed.join(', ')}` : '';
  return [
    printable(`${message.at}  ${message.from.type} ${message.from.id}${where}${mentions}  [${message.id}]`),
    ...message.body.split('\n').map((line) => `    ${printableBlock(line)}`),
  ];
};

const printMessages = (context: CommandContext, messages: readonly MessageView[]): void => {
  if (context.json) sayJson(context.io, { items: messages });
  else if (context.quiet) for (const message of messages) say(context.io, message.body);
  else for (const message of messages) for (const line of messageLines(message)) say(context.io, line);
};

/** The agent whose inbox this is, and a client allowed to read it (its own token, or an admin's). */
const inboxOwner = async (context: CommandContext): Promise<{ agentId: string; client: ApiClient }> => {
  const { agentId } = await context.config();
  if (!agentId) {
    throw new UsageError('no agent id: set COORD_AGENT_ID (or AGENT_ID), or pass --agent-id');
  }
  return { agentId: requireAgentId(agentId), client: await writerClient(context) };
};

/** The message text: the words after the target, or standard input for `-`. */
const textOf = async (context: CommandContext, words: readonly string[]): Promise<string> => {
  if (words.length === 0) throw new UsageError('say what? give the text, or - to read it from stdin');
  if (words.length === 1 && words[0] === '-') {
    return requireBody((await context.io.readStdin()).replace(/\r?\n$/, ''));
  }
  return requireBody(words.join(' '));
};

const sayCommand: Command = {
  name: 'say',
  group: 'work',
  usage: '<work_id> <text...> | --to <agent_id> <text...>  [--mention a,b]  (text - reads stdin)',
  summary:
    "Post a message on a work item's thread, or with --to into an agent's inbox; --mention also tells those agents",
  options: { to: { type: 'string' }, mention: { type: 'string' } },
  async run(context) {
    const to = stringOption(context, 'to');
    const target: MessageTarget =
      to === undefined
        ? { workId: context.positionals[0] ?? '' }
        : { agentId: requireAgentId(to, 'the --to agent id') };
    if ('workId' in target && target.workId.trim() === '') {
      throw new UsageError('a work id (or --to <agent_id>) and the text are required');
    }
    const words = 'workId' in target ? context.positionals.slice(1) : context.positionals;
    const mentions = [
      ...new Set((listOption(context, 'mention') ?? []).map((id) => requireAgentId(id, 'a mention'))),
    ];
    if (mentions.length > MAX_MENTIONS) {
      throw new UsageError(`at most ${MAX_MENTIONS} mentions, got ${mentions.length}`);
    }
    const body = await textOf(context, words);
    const message = await sendMessage(await writerClient(context), target, body, mentions);
    if (context.json) sayJson(context.io, message);
    else if (context.quiet) say(context.io, printable(message.id));
    else {
      const where = 'workId' in target ? `work item ${target.workId}` : `the inbox of ${target.agentId}`;
      say(context.io, printable(`SENT: message ${message.id} to ${where} at ${message.at}`));
    }
    return ExitCode.Ok;
  },
};

const inbox: Command = {
  name: 'inbox',
  group: 'work',
  usage: '[--unread] [--wait [seconds] [--poll seconds]] [--peek] [--limit N] [--all]',
  summary: `Print this agent's messages (oldest first) and mark them read unless --peek; --wait blocks until one is unread (default ${DEFAULT_WAIT_SECONDS} s; exit 4 when none came), woken by the event stream and reading at least every --poll seconds (default ${MAX_POLL_MS / 1000})`,
  options: {
    unread: { type: 'boolean' },
    wait: { type: 'boolean' },
    poll: { type: 'string' },
    peek: { type: 'boolean' },
    ...PAGE_OPTIONS,
  },
  async run(context) {
    const waiting = context.values.wait === true;
    if (context.positionals.length > (waiting ? 1 : 0)) {
      throw new UsageError(`unexpected argument '${context.positionals[waiting ? 1 : 0]}'`);
    }
    const rawSeconds = context.positionals[0];
    const waitMs =
      1000 *
      (rawSeconds === undefined
        ? DEFAULT_WAIT_SECONDS
        : integerIn(rawSeconds, 'seconds', 1, MAX_WAIT_SECONDS));
    const limit = stringOption(context, 'limit');
    if (limit !== undefined) integerIn(limit, '--limit', 1, 200);
    const poll = stringOption(context, 'poll');
    if (poll !== undefined && !waiting) throw new UsageError('--poll needs --wait');
    const maxPollMs = poll === undefined ? undefined : 1000 * integerIn(poll, '--poll', 1, MAX_WAIT_SECONDS);
    const { agentId, client } = await inboxOwner(context);
    const messages = await takeInbox(context, client, agentId, {
      unread: context.values.unread === true,
      ...(waiting ? { waitMs } : {}),
      ...(maxPollMs !== undefined && { maxPollMs }),
      peek: context.values.peek === true,
    });
    printMessages(context, messages);
    if (waiting && messages.length === 0) {
      if (!context.json && !context.quiet)
        say(context.io, `NO MESSAGE: nothing arrived in ${waitMs / 1000} s`);
      return ExitCode.TimedOut;
    }
    if (!waiting && messages.length === 0 && !context.json && !context.quiet) {
      say(context.io, context.values.unread === true ? 'No unread messages.' : 'No messages.');
    }
    return ExitCode.Ok;
  },
};

/** `coord say`, `coord inbox`. */
export const MESSAGE_COMMANDS: readonly Command[] = [sayCommand, inbox];
