/** Agents: status, health and its reasons, heartbeat age, claims against capacity, team; filter and sort. */
import { age, h, words } from '../dom';
import { Resource } from '../resource';
import { AGENT_STATUSES, type Agent } from '../types';
import { createFilterBar } from './filters';
import { byNumber, byText, createTable } from './table';
import { type Context, loadError, section, type View } from './view';

const healthCell = (agent: Agent): Node => {
  const tone = agent.health.score >= 80 ? 'good' : agent.health.score >= 50 ? 'fair' : 'poor';
  return h(
    'div',
    { class: 'health' },
    h('span', { class: `score ${tone}` }, String(Math.round(agent.health.score))),
    agent.health.reasons.length
      ? h('ul', { class: 'reasons' }, ...agent.health.reasons.map((reason) => h('li', {}, reason)))
      : h('span', { class: 'muted' }, ' no deductions'),
  );
};

export const createAgentsView = (ctx: Context): View => {
  const { element, status } = section('agents', 'Agents');
  const agents = new Resource(() => ctx.api.listAll<Agent>('/v1/agents'));
  const teams = () => [...new Set((agents.value ?? []).map((a) => a.team))].sort();
  const filters = createFilterBar({
    view: 'agents',
    prefs: ctx.prefs,
    savePrefs: ctx.savePrefs,
    fields: [
      { name: 'q', label: 'Search agents', kind: 'search' },
      { name: 'status', label: 'Status', kind: 'select', choices: () => AGENT_STATUSES },
      { name: 'team', label: 'Team', kind: 'select', choices: teams },
    ],
    onChange: () => render(),
  });
  const table = createTable<Agent>({
    caption: 'Agents',
    sort: { key: 'id', descending: false },
    rowKey: (a) => a.id,
    empty: 'No agents match.',
    columns: [
      {
        key: 'id',
        label: 'Agent',
        cell: (a) => h('span', { class: 'mono' }, a.id),
        compare: byText((a) => a.id),
      },
      { key: 'team', label: 'Team', cell: (a) => a.team, compare: byText((a) => a.team) },
      {
        key: 'status',
        label: 'Status',
        cell: (a) => h('span', { class: `badge status-${a.status}` }, words(a.status)),
        compare: byText((a) => a.status),
      },
      {
        key: 'health',
        label: 'Health',
        cell: healthCell,
        compare: byNumber((a) => a.health.score),
      },
      {
        key: 'heartbeat',
        label: 'Heartbeat',
        cell: (a) =>
          h('span', { 'data-since': a.lastHeartbeatAt, title: a.lastHeartbeatAt }, age(a.lastHeartbeatAt)),
        compare: byNumber((a) => -Date.parse(a.lastHeartbeatAt)),
      },
      {
        key: 'claims',
        label: 'Claims',
        cell: (a) =>
          h(
            'span',
            { 'aria-label': `${a.activeClaims} of ${a.capacity}` },
            h('meter', { min: 0, max: a.capacity, value: a.activeClaims, 'aria-hidden': 'true' }),
            ` ${a.activeClaims} / ${a.capacity}`,
          ),
        compare: byNumber((a) => a.activeClaims / a.capacity),
      },
    ],
  });
  const count = h('p', { class: 'count', 'aria-live': 'polite' });
  element.append(filters.element, count, h('div', { class: 'table-wrap' }, table.element));

  const render = () => {
    status.textContent = agents.error ? loadError(agents.error) : agents.value ? '' : 'Loading…';
    const q = (filters.values.q ?? '').toLowerCase();
    const rows = (agents.value ?? []).filter(
      (a) =>
        (!filters.values.status || a.status === filters.values.status) &&
        (!filters.values.team || a.team === filters.values.team) &&
        (!q ||
          a.id.toLowerCase().includes(q) ||
          a.team.toLowerCase().includes(q) ||
          a.capabilities.some((c) => c.toLowerCase().includes(q))),
    );
    count.textContent = `${rows.length} of ${agents.value?.length ?? 0} agents`;
    table.render(rows);
  };
  agents.subscribe(() => {
    filters.refreshChoices();
    render();
  });

  return {
    id: 'agents',
    title: 'Agents',
    element,
    refresh: () => agents.reload(),
    wants: (m) => m.type.startsWith('agent.') || m.type.startsWith('work.') || m.type === 'assignment',
    focusSearch: () => filters.focusSearch(),
  };
};
