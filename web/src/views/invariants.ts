/**
 * Invariants: what the service keeps true, as the sweeper last checked it, with examples of
 * records that break one; admins repair from here. Keyboard: j / k move between rows, x repairs
 * the selected one.
 */
import { ApiError } from '../api';
import { age, announce, h, words } from '../dom';
import { Resource } from '../resource';
import type { Invariant } from '../types';
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
  let selected = 0;

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

  const rows = () => invariants.value ?? [];
  const render = () => {
    status.textContent = invariants.error ? loadError(invariants.error) : invariants.value ? '' : 'Loading…';
    selected = Math.min(selected, Math.max(0, rows().length - 1));
    const items = rows().map((invariant, index) => {
      const examples = [
        ...(invariant.lastRound?.examples ?? []),
        ...(invariant.currentRound?.examples ?? []),
      ];
      return h(
        'li',
        {
          class: `invariant ${invariant.status}`,
          tabindex: index === selected ? 0 : -1,
          'aria-current': index === selected ? 'true' : undefined,
          'data-focus-key': `inv-${invariant.name}`,
          onfocus: () => {
            selected = index;
          },
        },
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
    });
    const focusedInside = list.contains(document.activeElement);
    list.replaceChildren(...items);
    if (focusedInside) list.querySelector<HTMLElement>('[aria-current="true"]')?.focus();
  };
  invariants.subscribe(render);

  const select = (next: number) => {
    if (rows().length === 0) return;
    selected = (next + rows().length) % rows().length;
    render();
    list.querySelector<HTMLElement>('[aria-current="true"]')?.focus();
  };

  return {
    id: 'invariants',
    title: 'Invariants',
    element,
    refresh: () => invariants.reload(),
    wants: (m) => m.type === 'metrics',
    onKey: (key) => {
      const current = rows()[selected];
      if (key === 'j') select(selected + 1);
      else if (key === 'k') select(selected - 1);
      else if (key === 'x' && isAdmin && current?.status === 'violated') void repair(current);
      else return false;
      return true;
    },
  };
};
