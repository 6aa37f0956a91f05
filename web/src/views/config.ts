/**
 * Admin configuration: lease, heartbeat timeout multiple, retry budget and urgency weights.
 * The page checks nothing itself: it sends what was typed and shows each of the API's
 * validation messages next to the field it names (by JSON pointer). Viewers see it read-only.
 */
import { ApiError } from '../api';
import { announce, h } from '../dom';
import type { Settings } from '../types';
import { type Context, loadError, section, type View } from './view';

interface ConfigField {
  /** JSON pointer into the config, as the API names it in errors. */
  readonly path: string;
  readonly label: string;
  readonly hint: string;
  readonly step: string;
}

const FIELDS: readonly ConfigField[] = [
  { path: '/leaseSeconds', label: 'Lease (seconds)', hint: '5 to 86400', step: '1' },
  {
    path: '/heartbeatTimeoutMultiple',
    label: 'Heartbeat timeout (× interval)',
    hint: '2 to 10',
    step: 'any',
  },
  { path: '/defaultMaxAttempts', label: 'Retry budget (attempts)', hint: '1 to 20', step: '1' },
  { path: '/urgencyWeights/priority/critical', label: 'Weight: critical', hint: '0 to 1000', step: 'any' },
  { path: '/urgencyWeights/priority/high', label: 'Weight: high', hint: '0 to 1000', step: 'any' },
  { path: '/urgencyWeights/priority/medium', label: 'Weight: medium', hint: '0 to 1000', step: 'any' },
  { path: '/urgencyWeights/priority/low', label: 'Weight: low', hint: '0 to 1000', step: 'any' },
  { path: '/urgencyWeights/deadlineMax', label: 'Deadline pressure, most', hint: '0 to 1000', step: 'any' },
  {
    path: '/urgencyWeights/deadlineHorizonHours',
    label: 'Deadline horizon (hours)',
    hint: 'at least 1',
    step: 'any',
  },
  { path: '/urgencyWeights/agingMax', label: 'Aging, most', hint: '0 to 1000', step: 'any' },
  {
    path: '/urgencyWeights/agingMinutesPerPoint',
    label: 'Aging: minutes per point',
    hint: 'at least 1',
    step: 'any',
  },
];

const idOf = (path: string) => `config${path.replaceAll('/', '-')}`;

const read = (settings: unknown, path: string): unknown =>
  path
    .split('/')
    .slice(1)
    .reduce<unknown>(
      (node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined),
      settings,
    );

const write = (target: Record<string, unknown>, path: string, value: unknown): void => {
  const keys = path.split('/').slice(1);
  const last = keys.pop() as string;
  let node = target;
  for (const key of keys) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node[last] = value;
};

export const createConfigView = (ctx: Context): View => {
  const { element, status } = section('config', 'Configuration');
  const isAdmin = ctx.role === 'admin';
  let loaded: Settings | undefined;
  const inputs = new Map<string, HTMLInputElement>();
  const errors = new Map<string, HTMLElement>();
  const formError = h('p', { class: 'error', id: 'config-form-error', role: 'alert' });
  const saved = h('p', { class: 'ok', role: 'status', id: 'config-saved' });

  const fields = FIELDS.map((field) => {
    const id = idOf(field.path);
    const input = h('input', {
      id,
      name: field.path,
      type: 'number',
      step: field.step,
      inputmode: 'decimal',
      disabled: !isAdmin,
      'aria-describedby': `${id}-hint ${id}-error`,
    });
    const error = h('p', { class: 'field-error', id: `${id}-error` });
    inputs.set(field.path, input);
    errors.set(field.path, error);
    return h(
      'div',
      { class: 'field' },
      h('label', { for: id }, field.label),
      input,
      h('p', { class: 'hint', id: `${id}-hint` }, field.hint),
      error,
    );
  });

  const clearErrors = () => {
    formError.textContent = '';
    for (const [path, error] of errors) {
      error.textContent = '';
      inputs.get(path)?.removeAttribute('aria-invalid');
    }
  };

  // Set once the user edits a field: a re-read (on reconnect, say) must not undo their typing.
  let edited = false;
  const fill = (settings: Settings) => {
    loaded = settings;
    edited = false;
    for (const [path, input] of inputs) input.value = String(read(settings, path) ?? '');
  };

  const save = async () => {
    clearErrors();
    saved.textContent = '';
    const body: Record<string, unknown> = {};
    for (const [path, input] of inputs) {
      const typed = input.value.trim();
      const value = typed === '' || Number.isNaN(input.valueAsNumber) ? typed : input.valueAsNumber;
      if (value !== read(loaded, path)) write(body, path, value);
    }
    if (Object.keys(body).length === 0) {
      saved.textContent = 'Nothing changed.';
      return;
    }
    try {
      fill(await ctx.api.send<Settings>('PUT', '/v1/config', body));
      saved.textContent = `Saved at ${new Date().toLocaleTimeString()}.`;
      announce('Configuration saved.');
    } catch (error) {
      if (!(error instanceof ApiError)) {
        formError.textContent = 'Could not reach the service; nothing was saved.';
        return;
      }
      const unplaced: string[] = [];
      for (const { path, message } of error.fieldErrors) {
        const field = errors.get(path);
        if (field) {
          field.textContent = message;
          inputs.get(path)?.setAttribute('aria-invalid', 'true');
        } else unplaced.push(path ? `${path}: ${message}` : message);
      }
      if (error.fieldErrors.length === 0) unplaced.push(error.message);
      formError.textContent = unplaced.length
        ? `Not saved: ${unplaced.join('; ')}`
        : 'Not saved: see the fields marked.';
      const first = [...inputs.entries()].find(([path]) => errors.get(path)?.textContent);
      first?.[1].focus();
    }
  };

  const undo = () => {
    clearErrors();
    if (loaded) fill(loaded);
  };

  const form = h(
    'form',
    {
      class: 'config-form',
      novalidate: true,
      'aria-label': 'Service configuration',
      oninput: () => {
        edited = true;
      },
      onsubmit: (event: Event) => {
        event.preventDefault();
        if (isAdmin) void save();
      },
    },
    h('fieldset', {}, h('legend', {}, 'Claims and liveness'), ...fields.slice(0, 3)),
    h('fieldset', {}, h('legend', {}, 'Urgency weights'), ...fields.slice(3)),
    formError,
    isAdmin
      ? h(
          'div',
          { class: 'actions' },
          h('button', { type: 'submit', class: 'primary', id: 'config-save' }, 'Save configuration'),
          h('button', { type: 'button', class: 'quiet', onclick: undo }, 'Undo changes'),
        )
      : h('p', { class: 'muted' }, 'Only admins change the configuration.'),
    saved,
  );
  element.append(form);

  const load = async () => {
    try {
      const settings = await ctx.api.get<Settings>('/v1/config');
      if (!edited) fill(settings);
      status.textContent = '';
    } catch (error) {
      status.textContent = loadError(error);
    }
  };

  return {
    id: 'config',
    title: 'Config',
    element,
    refresh: () => void load(),
    wants: () => false,
  };
};
