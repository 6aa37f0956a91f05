/**
 * A view's filter bar: labelled search and select fields, plus filters saved under a name in
 * the user's prefs (per view), applied again with one choice.
 */
import { announce, h, options as optionsOf } from '../dom';
import type { Prefs, SavedFilter } from '../prefs';

export interface FilterField {
  readonly name: string;
  readonly label: string;
  readonly kind: 'search' | 'select';
  /** For selects: the values offered (besides "all"). */
  readonly choices?: () => readonly string[];
}

export interface FilterBar {
  readonly element: HTMLElement;
  readonly values: Record<string, string>;
  /** Refreshes the choices of selects (teams appear as data arrives). */
  refreshChoices(): void;
  focusSearch(): void;
}

export const createFilterBar = (options: {
  readonly view: string;
  readonly fields: readonly FilterField[];
  readonly prefs: Prefs;
  readonly savePrefs: () => void;
  readonly onChange: () => void;
}): FilterBar => {
  const { view, fields, prefs } = options;
  const values: Record<string, string> = Object.fromEntries(fields.map((f) => [f.name, '']));
  const inputs = new Map<string, HTMLInputElement | HTMLSelectElement>();
  const idOf = (name: string) => `${view}-filter-${name}`;

  const controls = fields.map((field) => {
    const input =
      field.kind === 'search'
        ? h('input', { id: idOf(field.name), type: 'search', autocomplete: 'off', 'data-search': 'true' })
        : h('select', { id: idOf(field.name) });
    input.addEventListener('input', () => {
      values[field.name] = input.value;
      options.onChange();
    });
    inputs.set(field.name, input);
    return h('div', { class: 'field' }, h('label', { for: idOf(field.name) }, field.label), input);
  });

  const saved = (): SavedFilter[] => (prefs.savedFilters[view] ??= []);
  const savedSelect = h('select', { id: `${view}-saved` });
  const nameInput = h('input', {
    id: `${view}-save-name`,
    type: 'text',
    placeholder: 'e.g. my team',
    maxlength: 40,
  });
  const renderSaved = () => {
    savedSelect.replaceChildren(
      h('option', { value: '' }, saved().length ? 'Choose…' : 'None saved'),
      ...saved().map((filter) => h('option', { value: filter.name }, filter.name)),
    );
  };

  const setValues = (next: Readonly<Record<string, string>>) => {
    for (const field of fields) {
      values[field.name] = next[field.name] ?? '';
      const input = inputs.get(field.name);
      if (input) input.value = values[field.name] ?? '';
    }
    options.onChange();
  };

  savedSelect.addEventListener('change', () => {
    const filter = saved().find((f) => f.name === savedSelect.value);
    if (filter) setValues(filter.values);
  });
  const saveButton = h(
    'button',
    {
      type: 'button',
      onclick: () => {
        const name = nameInput.value.trim();
        if (!name) {
          nameInput.focus();
          announce('Name the filter first.', 'error');
          return;
        }
        prefs.savedFilters[view] = [
          ...saved().filter((f) => f.name !== name),
          { name, values: { ...values } },
        ];
        options.savePrefs();
        renderSaved();
        savedSelect.value = name;
        nameInput.value = '';
        announce(`Filter "${name}" saved.`);
      },
    },
    'Save filter',
  );
  const deleteButton = h(
    'button',
    {
      type: 'button',
      class: 'quiet',
      onclick: () => {
        const name = savedSelect.value;
        if (!name) return;
        prefs.savedFilters[view] = saved().filter((f) => f.name !== name);
        options.savePrefs();
        renderSaved();
        announce(`Filter "${name}" deleted.`);
      },
    },
    'Delete',
  );
  renderSaved();

  const element = h(
    'form',
    {
      class: 'filters',
      role: 'search',
      'aria-label': `Filter ${view}`,
      onsubmit: (e: Event) => e.preventDefault(),
    },
    ...controls,
    h(
      'div',
      { class: 'field saved' },
      h('label', { for: `${view}-saved` }, 'Saved filters'),
      h('div', { class: 'inline' }, savedSelect, deleteButton),
    ),
    h(
      'div',
      { class: 'field saved' },
      h('label', { for: `${view}-save-name` }, 'Save current as'),
      h('div', { class: 'inline' }, nameInput, saveButton),
    ),
  );

  return {
    element,
    values,
    refreshChoices: () => {
      for (const field of fields) {
        const input = inputs.get(field.name);
        if (field.kind === 'select' && input && field.choices) {
          input.replaceChildren(...optionsOf(field.choices(), values[field.name] ?? '', 'All'));
        }
      }
    },
    focusSearch: () => {
      const search = fields.find((f) => f.kind === 'search');
      if (search) inputs.get(search.name)?.focus();
    },
  };
};
