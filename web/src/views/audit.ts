/** The live audit feed: the newest events, re-read as live messages arrive; pausable. */
import { h } from '../dom';
import { Resource } from '../resource';
import type { AuditEvent } from '../types';
import { auditEntry } from './audit-entry';
import { type Context, loadError, section, type View } from './view';

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
    wants: (m) => m.type !== 'metrics',
    focusSearch: () => search.focus(),
  };
};
