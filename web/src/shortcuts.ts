/** Keyboard shortcuts: one table, used both to act on keys and to list them under `?`. */

export interface Shortcut {
  readonly keys: string;
  readonly does: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: '?', does: 'Show this list' },
  { keys: '/', does: 'Search in the current view' },
  { keys: '1 – 7', does: 'Overview, Agents, Queue, Escalations, Audit, Config, Invariants' },
  { keys: '← →', does: 'Previous or next view (on the view tabs)' },
  { keys: 'j / k', does: 'Escalations, Invariants: next or previous' },
  { keys: 'r', does: 'Escalations: resolve the selected one (admin)' },
  { keys: 'y', does: 'Escalations: retry its item (admin)' },
  { keys: 'x', does: 'Invariants: repair the selected one (admin)' },
  { keys: 't', does: 'Switch theme (system, light, dark)' },
  { keys: 'Esc', does: 'Close a dialog' },
];

/** Whether a key press belongs to a field the user is typing in (then shortcuts stay out of the way). */
export const isTyping = (event: KeyboardEvent): boolean => {
  const target = event.target;
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLInputElement)
    return !['checkbox', 'radio', 'button', 'submit'].includes(target.type);
  return target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;
};
