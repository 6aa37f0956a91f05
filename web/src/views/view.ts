/** What every view of the dashboard provides, and what it gets from the page. */
import type { Api } from '../api';
import type { Prefs } from '../prefs';
import type { Role, ServerMessage } from '../types';

export interface Context {
  readonly api: Api;
  readonly role: Role;
  readonly prefs: Prefs;
  savePrefs(): void;
  /** Opens a work item's detail. */
  openItem(id: string): void;
}

export interface View {
  readonly id: string;
  readonly title: string;
  readonly element: HTMLElement;
  /** Re-reads what the view shows. */
  refresh(): void;
  /** Whether this live message changes what the view shows (it is then re-read). */
  wants(message: ServerMessage): boolean;
  /** Takes in a live message that carries all the view needs, without a re-read. */
  apply?(message: ServerMessage): void;
  /** Called when the view becomes visible. */
  onShow?(): void;
  /** Moves focus to the view's search field, if it has one. */
  focusSearch?(): void;
  /** A key pressed while the view is shown; true when the view used it. */
  onKey?(key: string): boolean;
}

/** A view's section: heading, a status line for loading errors, and its content. */
export const section = (id: string, title: string): { element: HTMLElement; status: HTMLElement } => {
  const status = document.createElement('p');
  status.className = 'load-status';
  status.setAttribute('role', 'status');
  status.textContent = 'Loading…';
  const element = document.createElement('section');
  element.id = `view-${id}`;
  element.className = 'view';
  element.setAttribute('role', 'tabpanel');
  element.setAttribute('aria-labelledby', `tab-${id}`);
  element.tabIndex = -1;
  element.hidden = true;
  const heading = document.createElement('h2');
  heading.textContent = title;
  element.append(heading, status);
  return { element, status };
};

/** What to say when a read failed. */
export const loadError = (error: unknown): string =>
  error instanceof Error ? `Could not load: ${error.message}` : 'Could not load.';
