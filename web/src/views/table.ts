/**
 * A sortable table: header buttons sort (and say so with `aria-sort`), each cell carries its
 * column name in `data-label`, which the narrow layout shows when rows become cards.
 */
import { h, replaceKeepingFocus } from '../dom';

export interface Column<T> {
  readonly key: string;
  readonly label: string;
  readonly cell: (row: T) => Node | string;
  /** Makes the column sortable. */
  readonly compare?: (a: T, b: T) => number;
}

export interface SortState {
  key: string;
  descending: boolean;
}

export interface Table<T> {
  readonly element: HTMLTableElement;
  render(rows: readonly T[]): void;
}

export const createTable = <T>(options: {
  readonly caption: string;
  readonly columns: readonly Column<T>[];
  readonly sort: SortState;
  readonly rowKey: (row: T) => string;
  readonly empty: string;
  readonly onSort?: (sort: SortState) => void;
}): Table<T> => {
  const { columns, sort } = options;
  const body = h('tbody');
  const headerCells = columns.map((column) => {
    const th = h('th', { scope: 'col', 'data-key': column.key });
    if (!column.compare) th.append(column.label);
    else {
      th.append(
        h(
          'button',
          {
            type: 'button',
            class: 'sort',
            onclick: () => {
              sort.descending = sort.key === column.key ? !sort.descending : false;
              sort.key = column.key;
              options.onSort?.(sort);
              render(lastRows);
            },
          },
          column.label,
        ),
      );
    }
    return th;
  });
  const element = h(
    'table',
    { class: 'data' },
    h('caption', { class: 'visually-hidden' }, options.caption),
    h('thead', {}, h('tr', {}, ...headerCells)),
    body,
  );
  let lastRows: readonly T[] = [];

  const render = (rows: readonly T[]) => {
    lastRows = rows;
    for (const th of headerCells) {
      const active = th.dataset.key === sort.key;
      if (active) th.setAttribute('aria-sort', sort.descending ? 'descending' : 'ascending');
      else th.removeAttribute('aria-sort');
    }
    const column = columns.find((c) => c.key === sort.key);
    const sorted = column?.compare
      ? [...rows].sort(
          (a, b) => (sort.descending ? -1 : 1) * (column.compare as (a: T, b: T) => number)(a, b),
        )
      : rows;
    const trs = sorted.map((row) =>
      h(
        'tr',
        { 'data-row-key': options.rowKey(row) },
        ...columns.map((c) => h('td', { 'data-label': c.label }, c.cell(row))),
      ),
    );
    if (trs.length === 0) {
      trs.push(h('tr', { class: 'empty-row' }, h('td', { colspan: columns.length }, options.empty)));
    }
    replaceKeepingFocus(body, ...trs);
  };
  return { element, render };
};

export const byText =
  <T>(pick: (row: T) => string) =>
  (a: T, b: T): number =>
    pick(a).localeCompare(pick(b));

export const byNumber =
  <T>(pick: (row: T) => number) =>
  (a: T, b: T): number =>
    pick(a) - pick(b);
