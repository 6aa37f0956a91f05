/**
 * Escalations: open ones first (or all), with resolve and retry for admins. Keyboard: j / k
 * move between rows, r resolves and y retries the selected one.
 */
import { ApiError } from '../api';
import { age, announce, h, words } from '../dom';
import { Resource } from '../resource';
import type { Escalation } from '../types';
import { selectableList } from './selectable-list';
import { type Context, loadError, section, type View } from './view';

const detailsText = (details: Readonly<Record<string, unknown>>): string =>
  Object.entries(details)
    .slice(0, 4)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' · ');

export const createEscalationsView = (ctx: Context): View => {
  const { element, status } = section('escalations', 'Escalations');
  const showAll = h('input', { id: 'escalations-all', type: 'checkbox' });
  const escalations = new Resource(() =>
    ctx.api.listAll<Escalation>('/v1/escalations', { status: showAll.checked ? undefined : 'open' }, 500),
  );
  showAll.addEventListener('change', () => escalations.reload());
  const list = h('ul', { class: 'escalations', 'aria-label': 'Escalations' });
  const isAdmin = ctx.role === 'admin';
  element.append(
    h(
      'div',
      { class: 'toolbar' },
      h('label', { class: 'check' }, showAll, ' Show resolved too'),
      h(
        'p',
        { class: 'muted hint' },
        isAdmin ? 'j / k select · r resolve · y retry the item' : 'Only admins resolve or retry.',
      ),
    ),
    list,
  );

  const resolve = async (e: Escalation) => {
    try {
      await ctx.api.send('POST', `/v1/escalations/${encodeURIComponent(e.id)}/resolve`, {});
      announce(`Escalation of ${e.workId} resolved.`);
      escalations.reload();
    } catch (error) {
      announce(error instanceof ApiError ? error.message : 'Resolve failed.', 'error');
    }
  };
  const retry = async (e: Escalation) => {
    try {
      await ctx.api.send('POST', `/v1/work/${encodeURIComponent(e.workId)}/retry`, {});
      announce(`${e.workId} is ready again.`);
      escalations.reload();
    } catch (error) {
      announce(error instanceof ApiError ? error.message : 'Retry failed.', 'error');
    }
  };

  const rows = selectableList<Escalation>(list, {
    key: (e) => `esc-${e.id}`,
    empty: 'No open escalations.',
    row: (e, selection) =>
      h(
        'li',
        { class: `escalation ${e.status}`, ...selection },
        h(
          'div',
          { class: 'escalation-head' },
          h('span', { class: `badge kind-${e.kind}` }, words(e.kind)),
          h(
            'button',
            { type: 'button', class: 'link mono', onclick: () => ctx.openItem(e.workId) },
            e.workId,
          ),
          h('span', { class: 'muted' }, `team ${e.team} · opened ${age(e.openedAt)} ago`),
          e.status === 'resolved' ? h('span', { class: 'badge status-completed' }, 'resolved') : null,
        ),
        h('p', { class: 'muted' }, detailsText(e.details)),
        isAdmin && e.status === 'open'
          ? h(
              'div',
              { class: 'actions' },
              h('button', { type: 'button', onclick: () => resolve(e) }, 'Resolve'),
              h('button', { type: 'button', onclick: () => retry(e) }, 'Retry item'),
            )
          : null,
      ),
  });
  escalations.subscribe(() => {
    status.textContent = escalations.error
      ? loadError(escalations.error)
      : escalations.value
        ? ''
        : 'Loading…';
    rows.render(escalations.value ?? []);
  });

  return {
    id: 'escalations',
    title: 'Escalations',
    element,
    refresh: () => escalations.reload(),
    wants: (m) => m.type.startsWith('escalation') || m.type === 'work.escalated' || m.type === 'work.retried',
    onKey: (key) => {
      const current = rows.current();
      if (rows.onKey(key)) return true;
      if (key === 'r' && isAdmin && current?.status === 'open') void resolve(current);
      else if (key === 'y' && isAdmin && current?.status === 'open') void retry(current);
      else return false;
      return true;
    },
  };
};
