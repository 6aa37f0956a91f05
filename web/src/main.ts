/**
 * The dashboard: sign-in, the view tabs, the live connection and the keyboard. Each view reads
 * what it shows from the HTTP API; live messages only tell a view to read again (or mark it
 * stale while hidden), so a missed or duplicated message never leaves the page wrong for long,
 * and a reconnect re-reads everything.
 */
import './styles.css';
import { age, announce, byId, h } from './dom';
import { connectLive, type LiveConnection, type LiveState } from './live';
import { applyLook, loadPrefs, type Theme } from './prefs';
import { type Session, SignInError, signIn, signOut, storedToken } from './session';
import { isTyping, SHORTCUTS } from './shortcuts';
import type { ServerMessage } from './types';
import { createAgentsView } from './views/agents';
import { createAuditView } from './views/audit';
import { createConfigView } from './views/config';
import { createEscalationsView } from './views/escalations';
import { createInvariantsView } from './views/invariants';
import { createItemDetail } from './views/item';
import { createOverviewView } from './views/overview';
import { createQueueView } from './views/queue';
import type { Context, View } from './views/view';

const THEMES: readonly Theme[] = ['system', 'light', 'dark'];

/** Where the WebSocket API is: as the local runtime says, else port 3001 of this host. */
const wsUrlOf = async (): Promise<string> => {
  try {
    const response = await fetch('/dashboard-config.json');
    if (response.ok) {
      const settings = (await response.json()) as { wsUrl?: string };
      if (settings.wsUrl) return settings.wsUrl;
    }
  } catch {
    // Served by a host without the file: fall back to the default port.
  }
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.hostname}:3001`;
};

const showConnection = (state: LiveState, live: () => LiveConnection | undefined) => {
  const box = byId('connection');
  const text = byId('connection-text');
  const retry = byId<HTMLButtonElement>('reconnect');
  box.dataset.state = state.kind;
  window.clearInterval(Number(box.dataset.timer));
  retry.hidden = state.kind !== 'offline';
  retry.onclick = () => live()?.retryNow();
  if (state.kind === 'live') text.textContent = 'Live';
  else if (state.kind === 'connecting') text.textContent = 'Connecting…';
  else {
    const tick = () => {
      const seconds = Math.max(0, Math.ceil((state.retryAt - Date.now()) / 1000));
      text.textContent = `Disconnected: retrying in ${seconds} s`;
    };
    tick();
    box.dataset.timer = String(window.setInterval(tick, 1000));
  }
};

const start = async (session: Session) => {
  const { prefs, save } = loadPrefs(session.token);
  applyLook(prefs);
  byId('role').textContent = session.role;

  let detail: ReturnType<typeof createItemDetail> | undefined;
  const ctx: Context = {
    api: session.api,
    role: session.role,
    prefs,
    savePrefs: save,
    openItem: (id) => detail?.open(id),
  };
  let live: LiveConnection | undefined;
  detail = createItemDetail(ctx, () => live);
  const views: View[] = [
    createOverviewView(ctx),
    createAgentsView(ctx),
    createQueueView(ctx),
    createEscalationsView(ctx),
    createAuditView(ctx),
    createConfigView(ctx),
    createInvariantsView(ctx),
  ];
  const stale = new Set<View>();
  const main = byId('main');
  const tablist = byId('tabs');
  const tabs = views.map((view, index) =>
    h(
      'button',
      {
        type: 'button',
        role: 'tab',
        id: `tab-${view.id}`,
        'aria-controls': `view-${view.id}`,
        'aria-keyshortcuts': String(index + 1),
        onclick: () => show(view),
      },
      view.title,
    ),
  );
  tablist.replaceChildren(...tabs);
  main.replaceChildren(...views.map((v) => v.element));
  let current = views.find((v) => v.id === prefs.view) ?? (views[0] as View);

  function show(view: View, focus = false) {
    current = view;
    views.forEach((v, i) => {
      v.element.hidden = v !== view;
      tabs[i]?.setAttribute('aria-selected', String(v === view));
      tabs[i]?.setAttribute('tabindex', v === view ? '0' : '-1');
    });
    if (stale.delete(view)) view.refresh();
    view.onShow?.();
    prefs.view = view.id;
    save();
    if (focus) tabs[views.indexOf(view)]?.focus();
  }
  tablist.addEventListener('keydown', (event) => {
    const index = views.indexOf(current);
    const next =
      event.key === 'ArrowRight'
        ? index + 1
        : event.key === 'ArrowLeft'
          ? index - 1
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? views.length - 1
              : undefined;
    if (next === undefined) return;
    event.preventDefault();
    show(views[(next + views.length) % views.length] as View, true);
  });

  const refreshAll = () => {
    for (const view of views) {
      if (view === current) view.refresh();
      else stale.add(view);
    }
  };
  const onMessage = (message: ServerMessage) => {
    for (const view of views) {
      view.apply?.(message);
      if (!view.wants(message)) continue;
      if (view === current) view.refresh();
      else stale.add(view);
    }
    detail?.onLive(message);
  };

  live = connectLive({
    url: await wsUrlOf(),
    token: session.token,
    channels: session.role === 'admin' ? ['all', 'admin'] : ['all'],
    onMessage,
    onState: (state) => showConnection(state, () => live),
    onOpen: refreshAll,
  });
  show(current);
  refreshAll();

  // Ages ("12 s ago") move on by themselves.
  window.setInterval(() => {
    for (const element of document.querySelectorAll<HTMLElement>('[data-since]')) {
      element.textContent = age(element.dataset.since);
    }
  }, 1000);

  const theme = byId<HTMLSelectElement>('theme');
  theme.value = prefs.theme;
  const setTheme = (next: Theme) => {
    prefs.theme = next;
    theme.value = next;
    save();
    applyLook(prefs);
    current.onShow?.();
  };
  theme.addEventListener('change', () => setTheme(theme.value as Theme));
  window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => setTheme(prefs.theme));
  const density = byId<HTMLButtonElement>('density');
  const showDensity = () => {
    density.setAttribute('aria-pressed', String(prefs.density === 'compact'));
  };
  density.addEventListener('click', () => {
    prefs.density = prefs.density === 'compact' ? 'comfortable' : 'compact';
    save();
    applyLook(prefs);
    showDensity();
  });
  showDensity();
  byId('signout').addEventListener('click', () => {
    live?.close();
    signOut();
    location.reload();
  });

  const help = byId<HTMLDialogElement>('help-dialog');
  byId('help-list').replaceChildren(
    ...SHORTCUTS.flatMap((s) => [h('dt', {}, h('kbd', {}, s.keys)), h('dd', {}, s.does)]),
  );
  byId('help-button').addEventListener('click', () => help.showModal());
  byId('help-close').addEventListener('click', () => help.close());

  // Shown only now, with every control and shortcut in place.
  byId('signin').hidden = true;
  byId('app').hidden = false;
  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event)) return;
    if (document.querySelector('dialog[open]') && event.key !== '?') return;
    const digit = Number(event.key);
    if (event.key === '?') help.open ? help.close() : help.showModal();
    else if (event.key === '/') current.focusSearch?.();
    else if (Number.isInteger(digit) && digit >= 1 && digit <= views.length)
      show(views[digit - 1] as View, true);
    else if (event.key === 't') {
      setTheme(THEMES[(THEMES.indexOf(prefs.theme) + 1) % THEMES.length] as Theme);
      announce(`Theme: ${prefs.theme}.`);
    } else if (!current.onKey?.(event.key)) return;
    event.preventDefault();
  });
};

const showSignIn = (message = '') => {
  byId('app').hidden = true;
  byId('signin').hidden = false;
  byId('signin-error').textContent = message;
  byId('token').focus();
};

const boot = async () => {
  applyLook(loadPrefs('').prefs);
  const form = byId<HTMLFormElement>('signin-form');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = byId<HTMLInputElement>('token');
    const button = form.querySelector('button');
    if (button) button.disabled = true;
    try {
      await start(await signIn(input.value.trim()));
      input.value = '';
    } catch (error) {
      showSignIn(error instanceof SignInError ? error.message : 'Sign-in failed.');
    } finally {
      if (button) button.disabled = false;
    }
  });
  const token = storedToken();
  if (!token) return showSignIn();
  try {
    await start(await signIn(token));
  } catch (error) {
    signOut();
    showSignIn(error instanceof SignInError ? error.message : '');
  }
};

void boot();
