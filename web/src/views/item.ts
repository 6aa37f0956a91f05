/** A work item's detail, with its audit history, its thread, and (for admins) retry and cancel. */
import { ApiError } from '../api';
import { announce, byId, h, when, words } from '../dom';
import type { AuditEvent, InFlightFlag, ServerMessage, WorkItem } from '../types';
import { auditEntry } from './audit-entry';
import { createThread, type Thread } from './thread';
import type { Context } from './view';

/** The work item id a live message is about, if any. */
export const workIdOf = (message: ServerMessage): string | undefined => {
  const data = message.data ?? {};
  const item = data.item as { id?: unknown } | undefined;
  const id = data.entityType === 'work' ? data.entityId : (data.workId ?? item?.id);
  return typeof id === 'string' ? id : undefined;
};

const fact = (label: string, value: Node | string): HTMLElement[] => [h('dt', {}, label), h('dd', {}, value)];

/** One flag against an item in flight, in words. */
const flagText = (flag: InFlightFlag): string =>
  flag.kind === 'paths_overlap'
    ? `${flag.paths[0]} overlaps ${flag.paths[1]} of ${flag.workId} (held by ${flag.agentId})`
    : `title ${Math.round(flag.similarity * 100)} % like ${flag.workId} (held by ${flag.agentId})`;

/** The live connection's channel controls the detail uses to follow the open item. */
export interface ChannelFollower {
  join(channels: readonly string[]): void;
  leave(channels: readonly string[]): void;
}

export const createItemDetail = (ctx: Context, live: () => ChannelFollower | undefined) => {
  const dialog = byId<HTMLDialogElement>('item-dialog');
  const body = byId('item-body');
  const title = byId('item-title');
  // The facts are drawn again on every change; the thread (and an answer being typed) stays.
  const details = h('div', {});
  let thread: Thread | undefined;
  let openId: string | undefined;

  const act = async (label: string, path: string, payload: unknown) => {
    try {
      await ctx.api.send('POST', path, payload);
      announce(`${label}: done.`);
      void load();
    } catch (error) {
      announce(error instanceof ApiError ? `${label}: ${error.message}` : `${label} failed.`, 'error');
    }
  };

  const render = (item: WorkItem, history: readonly AuditEvent[]) => {
    title.textContent = item.title;
    const terminal = ['completed', 'cancelled'].includes(item.status);
    const actions =
      ctx.role === 'admin'
        ? h(
            'div',
            { class: 'actions' },
            ['escalated', 'failed'].includes(item.status)
              ? h(
                  'button',
                  {
                    type: 'button',
                    onclick: () => act('Retry', `/v1/work/${encodeURIComponent(item.id)}/retry`, {}),
                  },
                  'Retry',
                )
              : null,
            terminal
              ? null
              : h(
                  'button',
                  {
                    type: 'button',
                    class: 'danger',
                    onclick: () => act('Cancel', `/v1/work/${encodeURIComponent(item.id)}/cancel`, {}),
                  },
                  'Cancel item',
                ),
          )
        : null;
    details.replaceChildren(
      h(
        'dl',
        { class: 'facts' },
        ...fact('Id', h('span', { class: 'mono' }, item.id)),
        ...fact('Status', h('span', { class: `badge status-${item.status}` }, words(item.status))),
        ...fact('Team', item.team),
        ...fact('Type', item.type),
        ...fact('Priority', item.priority),
        ...fact('Urgency', String(Math.round(item.urgency))),
        ...fact('Progress', `${Math.round(item.progress)} %`),
        ...fact('Attempts', `${item.attempts} of ${item.maxAttempts}`),
        ...fact(
          'Holder',
          item.claim ? `${item.claim.agentId} (lease until ${when(item.claim.leaseExpiresAt)})` : '–',
        ),
        ...fact('Deadline', when(item.deadline)),
        ...fact('Depends on', item.dependsOn.join(', ') || '–'),
        ...(item.paths?.length ? fact('Paths', h('span', { class: 'mono' }, item.paths.join(', '))) : []),
        ...(item.flags?.length
          ? fact(
              'In flight',
              h(
                'ul',
                { class: 'flags', 'data-testid': 'item-flags' },
                ...item.flags.map((flag) => h('li', { class: 'badge flag' }, flagText(flag))),
              ),
            )
          : []),
        ...(item.lastNote ? fact('Last note', item.lastNote) : []),
        ...(item.failure ? fact('Last failure', item.failure.reason) : []),
        ...fact('Created', when(item.createdAt)),
      ),
      ...(item.description ? [h('p', { class: 'description' }, item.description)] : []),
      ...(actions ? [actions] : []),
      h('h3', {}, 'History'),
      history.length
        ? h(
            'ol',
            { class: 'audit-list', reversed: true },
            ...history.map((event) => auditEntry(event, false)),
          )
        : h('p', { class: 'muted' }, 'No recorded events.'),
    );
  };

  const load = async () => {
    const id = openId;
    if (!id) return;
    try {
      const [item, history] = await Promise.all([
        ctx.api.get<WorkItem>(`/v1/work/${encodeURIComponent(id)}`, { flags: '1' }),
        ctx.api.listAll<AuditEvent>('/v1/audit', { entityId: id }, 200),
      ]);
      history.sort((a, b) => b.at.localeCompare(a.at) || b.seq - a.seq);
      if (openId === id) render(item, history);
    } catch (error) {
      details.replaceChildren(
        h('p', { class: 'error' }, error instanceof Error ? error.message : 'Could not load.'),
      );
    }
  };

  const follow = (id: string | undefined) => {
    if (openId === id && thread) return;
    if (openId) live()?.leave([`work:${openId}`]);
    thread = id ? createThread(ctx.api, ctx.role, id) : undefined;
    if (id) live()?.join([`work:${id}`]);
  };

  dialog.addEventListener('close', () => {
    follow(undefined);
    openId = undefined;
  });
  byId('item-close').addEventListener('click', () => dialog.close());

  return {
    open: (id: string) => {
      follow(id);
      openId = id;
      title.textContent = id;
      details.replaceChildren(h('p', {}, 'Loading…'));
      body.replaceChildren(details, ...(thread ? [thread.element] : []));
      if (!dialog.open) dialog.showModal();
      void load();
    },
    onLive: (message: ServerMessage) => {
      thread?.onLive(message);
      if (openId && workIdOf(message) === openId) void load();
    },
  };
};
