/**
 * Headless Chromium for the dashboard's browser tests: the system's Debian `chromium` driven by
 * playwright-core (never a downloaded browser; `.ci/run` installs the package when missing).
 * Screenshots go under `test-results/` (ignored by git).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCREENSHOTS = join(PROJECT_ROOT, 'test-results', 'dashboard');

/** Where Debian installs Chromium; `CHROMIUM_PATH` points elsewhere. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Starts headless Chromium. */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });

/** Saves a full-page screenshot as `test-results/dashboard/<name>.png` and returns its path. */
export const screenshot = async (page: Page, name: string): Promise<string> => {
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
};

/** Collects the page's uncaught errors, so a test can assert there were none. */
export const pageErrors = (page: Page): string[] => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
};

/** Opens the dashboard at `url` and signs in with `token`; resolves once the app shows. */
export const signIn = async (page: Page, url: string, token: string): Promise<void> => {
  await page.goto(url);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#app').waitFor({ state: 'visible' });
};
