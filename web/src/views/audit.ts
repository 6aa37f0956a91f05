/** The live audit feed: the newest events, re-read as live messages arrive; pausable. */
import { h } from '../dom';
import { Resource } from '../resource';
import type { AuditEvent, ServerMessage } from '../types';
import { auditEntry } from './audit-entry';
import { type Context, loadError, section, type View } from './view';

const KEEP = 200;

/** The audit entry a live message carries (observer messages carry the entry as `GET /v1/audit` shows it). */
const entryOf = (message: ServerMessage): AuditEvent | undefined => {
  const data = message.data;
  const actor = data?.actor as { type?: unknown } | undefined;
  return typeof data?.id === 'string' && typeof data.action === 'string' && typeof actor?.type === 'string'
    ? (data as unknown as AuditEvent)
    : undefined;
};

export const createAuditView = (ctx: Context): View => {
  const { element, status } = section('audit', 'Audit feed');
  const audit = new Resource(() => ctx.api.get<{ items: AuditEvent[] }>('/v1/audit', { limit: 100 }), 1000);
  const search = h('input', {
    id: 'audit-search',
    type: 'search',
    autocomplete: 'off',
    'data-search': 'true',
  });
  const pause = h('input', { id: 'audit-pause', type: 'checkbox' });
  const list = h('ol', { class: 'audit-list feed', 'aria-label': 'Newest audit events' });
  element.append(
    h(
      'form',
      {
        class: 'filters',
        role: 'search',
        'aria-label': 'Filter the audit feed',
        onsubmit: (e: Event) => e.preventDefault(),
      },
      h('div', { class: 'field' }, h('label', { for: 'audit-search' }, 'Search events'), search),
      h('label', { class: 'check' }, pause, ' Pause live updates'),
    ),
    list,
  );
  const render = () => {
    status.textContent = audit.error ? loadError(audit.error) : audit.value ? '' : 'Loading…';
    const q = search.value.toLowerCase();
    const events = (audit.value?.items ?? []).filter(
      (e) => !q || `${e.action} ${e.entityId} ${e.actor.id}`.toLowerCase().includes(q),
    );
    list.replaceChildren(
      ...(events.length
        ? events.map((e) => auditEntry(e, true))
        : [h('li', { class: 'empty' }, 'No events.')]),
    );
  };
  search.addEventListener('input', render);
  pause.addEventListener('change', () => {
    if (!pause.checked) audit.reload();
  });
  audit.subscribe(render);
  return {
    id: 'audit',
    title: 'Audit',
    element,
    refresh: () => {
      if (!pause.checked || !audit.value) audit.reload();
    },
    // Messages that carry their audit entry are added as they come; others mean a re-read.
    wants: (m) => m.type !== 'metrics' && entryOf(m) === undefined,
    apply: (m) => {
      const entry = entryOf(m);
      if (!entry || pause.checked || !audit.value) return;
      const items = audit.value.items.filter((e) => e.id !== entry.id);
      audit.value = { items: [entry, ...items].sort((a, b) => b.at.localeCompare(a.at)).slice(0, KEEP) };
      render();
    },
    focusSearch: () => search.focus(),
  };
};
