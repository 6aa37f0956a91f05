/**
 * A work item's thread in its detail: the messages oldest first, new ones appended as their live
 * `message` events come, and for members and admins a box to answer. An answer mentions the
 * agents that wrote on the thread, so it also reaches their inboxes (an agent waiting with
 * `coord inbox --wait` or MCP `read_inbox` gets it). A body is someone's plain
 * text: it only ever goes into the page as `textContent`, so `<img onerror>` shows as those
 * characters and runs nothing.
 */
import type { Api } from '../api';
import { ApiError } from '../api';
import { announce, h, when } from '../dom';
import type { Role, ServerMessage, ThreadMessage } from '../types';

/** The API's limit on a body, in bytes of UTF-8. */
const MAX_BODY_BYTES = 8192;
const MAX_MESSAGES = 1000;
/** The API's limit on mentions of one message. */
const MAX_MENTIONS = 20;

export interface Thread {
  readonly element: HTMLElement;
  /** Takes in a live message; appends it when it is a message of this thread. */
  onLive(message: ServerMessage): void;
}

const isThreadMessage = (value: unknown): value is ThreadMessage => {
  const message = value as Partial<ThreadMessage> | undefined;
  return (
    typeof message?.id === 'string' && typeof message.body === 'string' && typeof message.at === 'string'
  );
};

const messageItem = (message: ThreadMessage): HTMLElement => {
  const body = h('p', { class: 'message-body' });
  body.textContent = message.body;
  const from = h('span', { class: 'message-from' });
  from.textContent = `${message.from.type} ${message.from.id}`;
  const mentions = message.mentions.length
    ? h('span', { class: 'muted' }, ` to ${message.mentions.join(', ')}`)
    : null;
  return h(
    'li',
    { class: 'message', 'data-message-id': message.id },
    h(
      'div',
      { class: 'message-head' },
      from,
      mentions,
      h('time', { datetime: message.at }, when(message.at)),
    ),
    body,
  );
};

/** The thread of item `workId`, read now and kept up to date by `onLive`. */
export const createThread = (api: Api, role: Role, workId: string): Thread => {
  const shown = new Set<string>();
  const agents = new Set<string>();
  const list = h('ol', { class: 'thread', 'data-testid': 'thread', 'aria-live': 'polite' });
  const status = h('p', { class: 'load-status', role: 'status' }, 'Loading messages…');
  const path = `/v1/work/${encodeURIComponent(workId)}/messages`;

  const append = (message: ThreadMessage) => {
    if (shown.has(message.id)) return;
    shown.add(message.id);
    if (message.from.type === 'agent' && agents.size < MAX_MENTIONS) {
      agents.add(message.from.id);
      recipients.textContent = `Also goes to the inbox of ${[...agents].join(', ')}.`;
    }
    // Oldest first: one that arrives late (a live event before the read answered) goes in its place.
    const later = [...list.children].find(
      (element) =>
        ((element as HTMLElement).querySelector('time')?.getAttribute('datetime') ?? '') > message.at,
    );
    list.insertBefore(messageItem(message), later ?? null);
    status.textContent = '';
  };

  const box = h('textarea', {
    id: 'thread-reply',
    name: 'body',
    rows: 3,
    required: true,
    'aria-describedby': 'thread-reply-error',
  });
  const error = h('p', { id: 'thread-reply-error', class: 'field-error', role: 'alert' });
  const recipients = h('p', { class: 'muted', 'data-testid': 'thread-recipients' });
  const send = h('button', { type: 'submit' }, 'Send');
  const form =
    role === 'admin' || role === 'member'
      ? h(
          'form',
          { class: 'thread-reply', 'data-testid': 'thread-reply' },
          h('label', { for: 'thread-reply' }, 'Answer on this item'),
          box,
          recipients,
          error,
          send,
        )
      : null;
  form?.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = box.value;
    error.textContent = '';
    if (body.trim() === '') {
      error.textContent = 'Write a message first.';
      return;
    }
    if (new TextEncoder().encode(body).length > MAX_BODY_BYTES) {
      error.textContent = `At most ${MAX_BODY_BYTES} bytes.`;
      return;
    }
    send.disabled = true;
    try {
      const mentions = [...agents];
      append(
        await api.send<ThreadMessage>('POST', path, { body, ...(mentions.length > 0 ? { mentions } : {}) }),
      );
      box.value = '';
      announce('Message sent.');
    } catch (failure) {
      error.textContent =
        failure instanceof ApiError
          ? (failure.fieldErrors[0]?.message ?? failure.message)
          : 'Could not send.';
    } finally {
      send.disabled = false;
    }
  });

  void api
    .listAll<ThreadMessage>(path, {}, MAX_MESSAGES)
    .then((messages) => {
      for (const message of messages) append(message);
      if (shown.size === 0) status.textContent = 'No messages yet.';
    })
    .catch((failure: unknown) => {
      status.textContent =
        failure instanceof Error ? `Could not load: ${failure.message}` : 'Could not load.';
    });

  return {
    element: h('section', { class: 'thread-section' }, h('h3', {}, 'Thread'), status, list, form),
    onLive: (message) => {
      if (message.type !== 'message' || !isThreadMessage(message.data)) return;
      if (message.data.workId === workId) append(message.data);
    },
  };
};
