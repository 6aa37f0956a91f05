/** One audit event as a list entry: when, what, who, and which fields changed. */
import { h, when, words } from '../dom';
import type { AuditEvent } from '../types';

const shown = (value: unknown): string => {
  if (value === undefined) return '–';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
};

/** `status: ready → claimed` for each field that changed. */
export const changesOf = (event: AuditEvent): string[] => {
  const before = event.before ?? {};
  const after = event.after ?? {};
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (name) => name !== 'version' && name !== 'updatedAt',
  );
  return names.slice(0, 6).map((name) => `${name}: ${shown(before[name])} → ${shown(after[name])}`);
};

export const auditEntry = (event: AuditEvent, withEntity: boolean): HTMLLIElement =>
  h(
    'li',
    { class: 'audit-entry' },
    h('time', { datetime: event.at }, when(event.at)),
    h('strong', {}, words(event.action)),
    withEntity ? h('span', { class: 'mono' }, `${event.entityType} ${event.entityId}`) : null,
    h('span', { class: 'muted' }, `by ${event.actor.type} ${event.actor.id}`),
    ...changesOf(event).map((change) => h('span', { class: 'change' }, change)),
  );
