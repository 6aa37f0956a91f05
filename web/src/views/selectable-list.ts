/**
 * A list whose rows a keyboard user moves through with j / k: one row is selected (focusable,
 * `aria-current`), a re-render keeps the selection and the focus, and the view asks which row is
 * selected to act on it.
 */
import { h } from '../dom';

/** Attributes that make an `li` a selectable row; spread them into the row's own attributes. */
export type RowAttributes = Readonly<Record<string, string | number | undefined | ((event: Event) => void)>>;

export interface SelectableList<T> {
  /** Draws the rows (or `empty` when there are none), keeping focus on the selected row. */
  render(rows: readonly T[]): void;
  /** The selected row, if any. */
  current(): T | undefined;
  /** Handles j / k; `false` for any other key. */
  onKey(key: string): boolean;
}

export const selectableList = <T>(
  list: HTMLElement,
  options: {
    /** A stable key per row: focus follows it across live updates. */
    readonly key: (row: T) => string;
    readonly row: (row: T, attributes: RowAttributes) => HTMLElement;
    /** What the list shows with no rows; none when absent. */
    readonly empty?: string;
  },
): SelectableList<T> => {
  let selected = 0;
  let rows: readonly T[] = [];

  const render = (next: readonly T[]) => {
    rows = next;
    selected = Math.min(selected, Math.max(0, rows.length - 1));
    const items = rows.map((row, index) =>
      options.row(row, {
        tabindex: index === selected ? 0 : -1,
        'aria-current': index === selected ? 'true' : undefined,
        'data-focus-key': options.key(row),
        onfocus: () => {
          selected = index;
        },
      }),
    );
    if (items.length === 0 && options.empty) items.push(h('li', { class: 'empty' }, options.empty));
    const focusedInside = list.contains(document.activeElement);
    list.replaceChildren(...items);
    if (focusedInside) list.querySelector<HTMLElement>('[aria-current="true"]')?.focus();
  };

  const select = (next: number) => {
    if (rows.length === 0) return;
    selected = (next + rows.length) % rows.length;
    render(rows);
    list.querySelector<HTMLElement>('[aria-current="true"]')?.focus();
  };

  return {
    render,
    current: () => rows[selected],
    onKey: (key) => {
      if (key === 'j') select(selected + 1);
      else if (key === 'k') select(selected - 1);
      else return false;
      return true;
    },
  };
};
