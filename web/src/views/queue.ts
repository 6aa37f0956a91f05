/** The queue: counts by status, priority and team, and the items themselves (open one for its detail). */
import { age, h, words } from '../dom';
import { Resource } from '../resource';
import { PRIORITIES, type TeamSummary, WORK_STATUSES, type WorkItem } from '../types';
import { createFilterBar } from './filters';
import { byNumber, byText, createTable } from './table';
import { type Context, loadError, section, type View } from './view';

const PRIORITY_RANK: Readonly<Record<string, number>> = { critical: 0, high: 1, medium: 2, low: 3 };
const IN_FLIGHT = ['claimed', 'in_progress'];

const tally = (
  counts: Readonly<Record<string, number>>,
  keys: readonly string[],
  label: string,
): HTMLElement =>
  h(
    'dl',
    { class: 'tally', 'aria-label': label },
    ...keys.flatMap((key) => [
      h(
        'div',
        { class: `tally-item status-${key}` },
        h('dt', {}, words(key)),
        h('dd', {}, String(counts[key] ?? 0)),
      ),
    ]),
  );

export const createQueueView = (ctx: Context): View => {
  const { element, status } = section('queue', 'Queue');
  const teams = new Resource(() => ctx.api.listAll<TeamSummary>('/v1/teams'));
  const filters = createFilterBar({
    view: 'queue',
    prefs: ctx.prefs,
    savePrefs: ctx.savePrefs,
    fields: [
      { name: 'q', label: 'Search work', kind: 'search' },
      { name: 'status', label: 'Status', kind: 'select', choices: () => WORK_STATUSES },
      { name: 'priority', label: 'Priority', kind: 'select', choices: () => PRIORITIES },
      {
        name: 'team',
        label: 'Team',
        kind: 'select',
        choices: () => (teams.value ?? []).map((t) => t.team).sort(),
      },
    ],
    onChange: () => {
      // Status and team are filtered by the API; a change of either needs a new read.
      const key = `${filters.values.status}|${filters.values.team}`;
      if (key !== lastServerFilter) work.reload();
      render();
    },
  });
  let lastServerFilter = '|';
  const work = new Resource(() => {
    lastServerFilter = `${filters.values.status}|${filters.values.team}`;
    return ctx.api.listAll<WorkItem>('/v1/work', {
      status: filters.values.status,
      team: filters.values.team,
    });
  });

  const table = createTable<WorkItem>({
    caption: 'Work items',
    sort: { key: 'urgency', descending: true },
    rowKey: (w) => w.id,
    empty: 'No work matches.',
    columns: [
      {
        key: 'title',
        label: 'Item',
        cell: (w) =>
          h(
            'button',
            {
              type: 'button',
              class: 'link',
              'data-focus-key': `item-${w.id}`,
              onclick: () => ctx.openItem(w.id),
            },
            w.title,
            h('span', { class: 'mono muted block' }, w.id),
          ),
        compare: byText((w) => w.title),
      },
      {
        key: 'status',
        label: 'Status',
        cell: (w) => h('span', { class: `badge status-${w.status}` }, words(w.status)),
        compare: byText((w) => w.status),
      },
      {
        key: 'priority',
        label: 'Priority',
        cell: (w) => h('span', { class: `priority-${w.priority}` }, w.priority),
        compare: byNumber((w) => PRIORITY_RANK[w.priority] ?? 9),
      },
      { key: 'team', label: 'Team', cell: (w) => w.team, compare: byText((w) => w.team) },
      {
        key: 'urgency',
        label: 'Urgency',
        cell: (w) => String(Math.round(w.urgency)),
        compare: byNumber((w) => w.urgency),
      },
      {
        key: 'holder',
        label: 'Holder',
        cell: (w) => (w.claim ? h('span', { class: 'mono' }, w.claim.agentId) : '–'),
        compare: byText((w) => w.claim?.agentId ?? ''),
      },
      {
        key: 'progress',
        label: 'Progress',
        cell: (w) => `${Math.round(w.progress)} %`,
        compare: byNumber((w) => w.progress),
      },
      {
        key: 'updated',
        label: 'Updated',
        cell: (w) => h('span', { 'data-since': w.updatedAt, title: w.updatedAt }, age(w.updatedAt)),
        compare: byNumber((w) => Date.parse(w.updatedAt)),
      },
    ],
  });

  const byStatus = h('div', { class: 'summary-block' });
  const byPriority = h('div', { class: 'summary-block' });
  const byTeam = h('div', { class: 'summary-block wide' });
  const count = h('p', { class: 'count', 'aria-live': 'polite' });
  element.append(
    h('div', { class: 'summaries' }, byStatus, byPriority, byTeam),
    filters.element,
    count,
    h('div', { class: 'table-wrap' }, table.element),
  );

  const renderSummaries = () => {
    const totals: Record<string, number> = {};
    for (const team of teams.value ?? []) {
      for (const [s, n] of Object.entries(team.work)) totals[s] = (totals[s] ?? 0) + n;
    }
    byStatus.replaceChildren(h('h3', {}, 'By status'), tally(totals, WORK_STATUSES, 'Items by status'));
    const open = (work.value ?? []).filter((w) => !['completed', 'cancelled'].includes(w.status));
    const priorities: Record<string, number> = {};
    for (const w of open) priorities[w.priority] = (priorities[w.priority] ?? 0) + 1;
    byPriority.replaceChildren(
      h('h3', {}, 'Open by priority'),
      tally(priorities, PRIORITIES, 'Open items by priority'),
    );
    byTeam.replaceChildren(
      h('h3', {}, 'By team'),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'data compact-table' },
          h('caption', { class: 'visually-hidden' }, 'Work by team'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['Team', 'Ready', 'In flight', 'Blocked', 'Escalated', 'ETA'].map((l) =>
                h('th', { scope: 'col' }, l),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            ...(teams.value ?? []).map((t) =>
              h(
                'tr',
                {},
                h('th', { scope: 'row', 'data-label': 'Team' }, t.team),
                h('td', { 'data-label': 'Ready' }, String(t.work.ready ?? 0)),
                h(
                  'td',
                  { 'data-label': 'In flight' },
                  String(IN_FLIGHT.reduce((n, s) => n + (t.work[s] ?? 0), 0)),
                ),
                h('td', { 'data-label': 'Blocked' }, String(t.work.blocked ?? 0)),
                h('td', { 'data-label': 'Escalated' }, String(t.work.escalated ?? 0)),
                h(
                  'td',
                  { 'data-label': 'ETA' },
                  t.forecast.etaMinutes === null ? '–' : `${Math.round(t.forecast.etaMinutes)} min`,
                ),
              ),
            ),
          ),
        ),
      ),
    );
  };

  const render = () => {
    const error = work.error ?? teams.error;
    status.textContent = error ? loadError(error) : work.value ? '' : 'Loading…';
    const q = (filters.values.q ?? '').toLowerCase();
    const rows = (work.value ?? []).filter(
      (w) =>
        (!filters.values.priority || w.priority === filters.values.priority) &&
        (!q ||
          w.title.toLowerCase().includes(q) ||
          w.id.toLowerCase().includes(q) ||
          w.type.toLowerCase().includes(q) ||
          (w.claim?.agentId.toLowerCase().includes(q) ?? false)),
    );
    count.textContent = `${rows.length} of ${work.value?.length ?? 0} items`;
    table.render(rows);
    renderSummaries();
  };
  work.subscribe(render);
  teams.subscribe(() => {
    filters.refreshChoices();
    render();
  });
  filters.refreshChoices();

  return {
    id: 'queue',
    title: 'Queue',
    element,
    refresh: () => {
      work.reload();
      teams.reload();
    },
    wants: (m) => m.type.startsWith('work.') || m.type.startsWith('escalation') || m.type === 'assignment',
    focusSearch: () => filters.focusSearch(),
  };
};
