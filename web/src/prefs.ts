/**
 * Personal settings (theme, layout, saved filters, last view), kept in this browser's
 * localStorage per user. The user is known by a short hash of the token, never the token
 * itself, which stays in sessionStorage only (see session.ts).
 */

export type Theme = 'system' | 'light' | 'dark';
export type Density = 'comfortable' | 'compact';
export type OverviewLayout = 'grid' | 'stack';

/** A named set of filter values of one view. */
export interface SavedFilter {
  readonly name: string;
  readonly values: Readonly<Record<string, string>>;
}

export interface Prefs {
  theme: Theme;
  density: Density;
  overviewLayout: OverviewLayout;
  view: string;
  trendWindow: string;
  savedFilters: Record<string, SavedFilter[]>;
}

const DEFAULTS: Prefs = {
  theme: 'system',
  density: 'comfortable',
  overviewLayout: 'grid',
  view: 'overview',
  trendWindow: '1h',
  savedFilters: {},
};

/** FNV-1a: enough to tell users of one browser apart, and reveals nothing usable about the token. */
const userKeyOf = (token: string): string => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < token.length; i += 1) {
    hash ^= token.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
};

/** The prefs of the user signed in with `token`, and a way to save changes. */
export const loadPrefs = (token: string): { prefs: Prefs; save: () => void } => {
  const key = `coord.prefs.${userKeyOf(token)}`;
  let stored: Partial<Prefs> = {};
  try {
    stored = JSON.parse(localStorage.getItem(key) ?? '{}') as Partial<Prefs>;
  } catch {
    // A corrupt entry (edited by hand) is replaced by the defaults on the next save.
  }
  const prefs: Prefs = { ...DEFAULTS, ...stored, savedFilters: { ...(stored.savedFilters ?? {}) } };
  return { prefs, save: () => localStorage.setItem(key, JSON.stringify(prefs)) };
};

/** Applies theme and density to the document. */
export const applyLook = (prefs: Prefs): void => {
  const root = document.documentElement;
  const dark =
    prefs.theme === 'dark' ||
    (prefs.theme === 'system' && window.matchMedia('(prefers-color-scheme: dark)').matches);
  root.dataset.theme = dark ? 'dark' : 'light';
  root.dataset.density = prefs.density;
};
