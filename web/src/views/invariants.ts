/**
 * Invariants: what the service keeps true, as the sweeper last checked it, with examples of
 * records that break one; admins repair from here. Keyboard: j / k move between rows, x repairs
 * the selected one.
 */
import { ApiError } from '../api';
import { age, announce, h, words } from '../dom';
import { Resource } from '../resource';
import type { Invariant } from '../types';
import { selectableList } from './selectable-list';
import { type Context, loadError, section, type View } from './view';

const roundText = (invariant: Invariant): string => {
  const round = invariant.lastRound ?? invariant.currentRound;
  if (!round) return 'Not checked yet.';
  const partial = invariant.lastRound ? '' : ' (round under way)';
  return `${round.violations} violation(s) in ${round.checked} record(s), checked ${age(round.checkedAt)} ago${partial}`;
};

export const createInvariantsView = (ctx: Context): View => {
  const { element, status } = section('invariants', 'Invariants');
  const invariants = new Resource(
    async () => (await ctx.api.get<{ items: Invariant[] }>('/v1/invariants')).items,
  );
  const list = h('ul', { class: 'invariants', 'aria-label': 'Invariants' });
  const isAdmin = ctx.role === 'admin';
  element.append(
    h(
      'p',
      { class: 'muted hint' },
      isAdmin ? 'j / k select · x repair the selected invariant' : 'Only admins repair.',
    ),
    list,
  );

  const repair = async (invariant: Invariant) => {
    try {
      const result = await ctx.api.send<{ repaired: number; remaining: unknown[] }>(
        'POST',
        `/v1/invariants/${encodeURIComponent(invariant.name)}/repair`,
        {},
      );
      announce(`${words(invariant.name)}: ${result.repaired} repaired, ${result.remaining.length} left.`);
      invariants.reload();
    } catch (error) {
      announce(error instanceof ApiError ? error.message : 'Repair failed.', 'error');
    }
  };

  const rows = selectableList<Invariant>(list, {
    key: (invariant) => `inv-${invariant.name}`,
    row: (invariant, selection) => {
      const examples = [
        ...(invariant.lastRound?.examples ?? []),
        ...(invariant.currentRound?.examples ?? []),
      ];
      return h(
        'li',
        { class: `invariant ${invariant.status}`, ...selection },
        h(
          'div',
          { class: 'escalation-head' },
          h('span', { class: `badge invariant-${invariant.status}` }, invariant.status),
          h('strong', {}, words(invariant.name)),
          h('span', { class: 'muted' }, roundText(invariant)),
        ),
        h('p', { class: 'muted' }, invariant.description),
        examples.length > 0
          ? h(
              'ul',
              { class: 'examples', 'aria-label': `Examples of ${words(invariant.name)}` },
              ...examples
                .slice(0, 5)
                .map((example) => h('li', { class: 'mono' }, `${example.entityId}: ${example.detail}`)),
            )
          : null,
        invariant.lastRepair
          ? h(
              'p',
              { class: 'muted' },
              `Last repair ${age(invariant.lastRepair.at)} ago by ${invariant.lastRepair.by}: ${invariant.lastRepair.repaired} record(s).`,
            )
          : null,
        isAdmin && invariant.status === 'violated'
          ? h(
              'div',
              { class: 'actions' },
              h('button', { type: 'button', onclick: () => repair(invariant) }, 'Repair'),
            )
          : null,
      );
    },
  });
  invariants.subscribe(() => {
    status.textContent = invariants.error ? loadError(invariants.error) : invariants.value ? '' : 'Loading…';
    rows.render(invariants.value ?? []);
  });

  return {
    id: 'invariants',
    title: 'Invariants',
    element,
    refresh: () => invariants.reload(),
    wants: (m) => m.type === 'metrics',
    onKey: (key) => {
      const current = rows.current();
      if (rows.onKey(key)) return true;
      if (key === 'x' && isAdmin && current?.status === 'violated') void repair(current);
      else return false;
      return true;
    },
  };
};
