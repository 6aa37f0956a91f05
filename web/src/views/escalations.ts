/**
 * Escalations: open ones first (or all), with resolve and retry for admins. Keyboard: j / k
 * move between rows, r resolves and y retries the selected one.
 */
import { ApiError } from '../api';
import { age, announce, h, words } from '../dom';
import { Resource } from '../resource';
import type { Escalation } from '../types';
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
  let selected = 0;

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

  const rows = () => escalations.value ?? [];
  const render = () => {
    status.textContent = escalations.error
      ? loadError(escalations.error)
      : escalations.value
        ? ''
        : 'Loading…';
    selected = Math.min(selected, Math.max(0, rows().length - 1));
    const items = rows().map((e, index) =>
      h(
        'li',
        {
          class: `escalation ${e.status}`,
          tabindex: index === selected ? 0 : -1,
          'aria-current': index === selected ? 'true' : undefined,
          'data-focus-key': `esc-${e.id}`,
          onfocus: () => {
            selected = index;
          },
        },
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
    );
    if (items.length === 0) items.push(h('li', { class: 'empty' }, 'No open escalations.'));
    const focusedInside = list.contains(document.activeElement);
    list.replaceChildren(...items);
    if (focusedInside) list.querySelector<HTMLElement>('[aria-current="true"]')?.focus();
  };
  escalations.subscribe(render);

  const select = (next: number) => {
    if (rows().length === 0) return;
    selected = (next + rows().length) % rows().length;
    render();
    list.querySelector<HTMLElement>('[aria-current="true"]')?.focus();
  };

  return {
    id: 'escalations',
    title: 'Escalations',
    element,
    refresh: () => escalations.reload(),
    wants: (m) => m.type.startsWith('escalation') || m.type === 'work.escalated' || m.type === 'work.retried',
    onKey: (key) => {
      const current = rows()[selected];
      if (key === 'j') select(selected + 1);
      else if (key === 'k') select(selected - 1);
      else if (key === 'r' && isAdmin && current?.status === 'open') void resolve(current);
      else if (key === 'y' && isAdmin && current?.status === 'open') void retry(current);
      else return false;
      return true;
    },
  };
};
