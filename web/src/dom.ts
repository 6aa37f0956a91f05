/** Building and updating the page without a framework: elements from data, never from HTML strings. */

type Child = Node | string | number | null | undefined | false;
type AttributeValue = string | number | boolean | undefined | null | ((event: Event) => void);

/**
 * An element with attributes, listeners (`onclick`) and children. Text always goes in as text
 * nodes, so nothing the API returns is ever parsed as markup.
 */
export const h = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Readonly<Record<string, AttributeValue>> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] => {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, '');
    else if (value !== false && value !== undefined && value !== null)
      element.setAttribute(name, String(value));
  }
  element.append(
    ...children
      .filter((c): c is Node | string | number => c !== null && c !== undefined && c !== false)
      .map((c) => (typeof c === 'number' ? String(c) : c)),
  );
  return element;
};

/** The element with this id; a missing one is a bug in index.html. */
export const byId = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from the page`);
  return element as T;
};

/**
 * Replaces a container's children, keeping keyboard focus on the element with the same
 * `data-focus-key` (a live update must not throw the user's focus back to the top).
 */
export const replaceKeepingFocus = (container: Element, ...children: Node[]): void => {
  const focused = document.activeElement;
  const key =
    focused instanceof HTMLElement && container.contains(focused) ? focused.dataset.focusKey : undefined;
  container.replaceChildren(...children);
  if (key) container.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(key)}"]`)?.focus();
};

/** "12 s", "4 min", "3 h", "2 d": how long ago, short. */
export const age = (iso: string | undefined, now = Date.now()): string => {
  if (!iso) return '–';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
};

/** Local date and time, short. */
export const when = (iso: string | undefined): string =>
  iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' }) : '–';

/** `in_progress` -> `in progress`. */
export const words = (code: string): string => code.replaceAll('_', ' ');

/** A select's options from values, the current one selected. */
export const options = (
  values: readonly string[],
  selected: string,
  allLabel?: string,
): HTMLOptionElement[] => [
  ...(allLabel === undefined ? [] : [h('option', { value: '', selected: selected === '' }, allLabel)]),
  ...values.map((value) => h('option', { value, selected: value === selected }, words(value))),
];

/** Says something to screen readers and sighted users alike, for a few seconds. */
export const announce = (message: string, tone: 'ok' | 'error' = 'ok'): void => {
  const region = byId('toast');
  region.dataset.tone = tone;
  region.textContent = message;
  window.clearTimeout(Number(region.dataset.timer));
  region.dataset.timer = String(
    window.setTimeout(() => {
      region.textContent = '';
    }, 6000),
  );
};
