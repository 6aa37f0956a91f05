/**
 * The dashboard in headless Chromium against the running local stack: sign-in with a viewer
 * token, live updates without a reload, an admin's configuration change taking effect, the
 * API's validation message next to the field, and the phone-width layout.
 */
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClaimView, SettingsView } from '#app/schemas/views';
import { launchChromium, pageErrors, screenshot, signIn } from '#test/support/browser';
import {
  besideRunStack,
  claimWork,
  createWork,
  registerAgent,
  stackClients,
  uniqueName,
} from '#test/support/e2e-fixtures';
import { ApiClient, pollUntil } from '#test/support/http-client';
import { type SpawnedStack, spawnLocalStack } from '#test/support/local-stack';

const LIVE_WAIT_MS = 20_000;
// Handlers load on first use and the machine is shared with other tests: allow for slow answers.
const SLOW = { timeout: 15_000 };

describe('the dashboard', () => {
  const { url, admin } = stackClients();
  const adminToken = admin.token as string;
  let browser: Browser;
  let viewerToken: string;

  beforeAll(async () => {
    browser = await launchChromium();
    const issued = await admin.post<{ token: string }>('/v1/tokens', {
      role: 'viewer',
      label: 'dashboard test',
    });
    expect(issued.status, issued.text).toBe(201);
    viewerToken = issued.body.token;
  });

  afterAll(async () => {
    await browser?.close();
  });

  const openPage = async (viewport = { width: 1280, height: 800 }) => {
    const page = await browser.newPage({ viewport });
    return { page, errors: pageErrors(page) };
  };

  const waitUntilLive = (page: Page) =>
    page.locator('#connection[data-state="live"]').waitFor({ timeout: LIVE_WAIT_MS });

  it('signs in with a viewer token kept in the session only, and shows agents and the queue', async () => {
    // Arrange
    const team = uniqueName('dash');
    const agent = await registerAgent(team);
    const { page, errors } = await openPage();

    // Act
    await signIn(page, url, viewerToken);
    await page.keyboard.press('2');

    // Assert: a viewer, the agent listed, the token in sessionStorage and nowhere else
    await expect.poll(() => page.locator('#role').textContent(), SLOW).toBe('viewer');
    await page.locator(`#view-agents tr[data-row-key="${agent.id}"]`).waitFor();
    // Expressions as text: they run in the page, whose globals this project's types do not know.
    const stored = (await page.evaluate(
      `({ session: sessionStorage.getItem('coord.token'), local: JSON.stringify({ ...localStorage }), cookies: document.cookie })`,
    )) as { session: string | null; local: string; cookies: string };
    expect(stored.session).toBe(viewerToken);
    expect(stored.local).not.toContain(viewerToken);
    expect(stored.cookies).toBe('');
    await page.keyboard.press('/');
    expect(await page.evaluate('document.activeElement.id')).toBe('agents-filter-q');
    await page.keyboard.type(agent.id);
    await expect.poll(() => page.locator('#view-agents tbody tr').count(), SLOW).toBe(1);
    await page.keyboard.press('Escape');
    await page.locator('#main').focus();
    await page.keyboard.press('3');
    await page.locator('#view-queue').waitFor({ state: 'visible' });
    await screenshot(page, 'viewer-queue');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a newly registered agent and a new claim without reloading', async () => {
    // Arrange: a signed-in viewer on the agents view, connected live
    const { page, errors } = await openPage();
    await signIn(page, url, viewerToken);
    await page.keyboard.press('2');
    await waitUntilLive(page);
    await page.evaluate('window.notReloaded = true');
    const team = uniqueName('live');

    // Act: an agent registers
    const agent = await registerAgent(team, { capacity: 2 });

    // Assert: its row appears
    const agentRow = page.locator(`#view-agents tr[data-row-key="${agent.id}"]`);
    await agentRow.waitFor({ timeout: LIVE_WAIT_MS });
    await expect.poll(() => agentRow.textContent(), SLOW).toContain('0 / 2');

    // Act: it claims a new item
    await page.keyboard.press('3');
    const item = await createWork(team, { title: `live item ${team}` });
    const itemRow = page.locator(`#view-queue tr[data-row-key="${item.id}"]`);
    await itemRow.waitFor({ timeout: LIVE_WAIT_MS });
    await claimWork(agent, item.id);

    // Assert: the queue shows it claimed by the agent, the agent shows the claim, no reload happened
    await expect.poll(() => itemRow.textContent(), { timeout: LIVE_WAIT_MS }).toContain('claimed');
    expect(await itemRow.textContent()).toContain(agent.id);
    await page.keyboard.press('2');
    await expect.poll(() => agentRow.textContent(), { timeout: LIVE_WAIT_MS }).toContain('1 / 2');
    expect(await page.evaluate('window.notReloaded')).toBe(true);
    await screenshot(page, 'live-agents');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows when it is disconnected, reconnects, and catches up on what happened meanwhile', async () => {
    // Arrange: the page's WebSocket goes through a route the test can cut
    const { page, errors } = await openPage();
    let refuse = false;
    const connections: WebSocketRoute[] = [];
    await page.routeWebSocket(
      () => true,
      (ws) => {
        if (refuse) return ws.close();
        ws.connectToServer();
        connections.push(ws);
      },
    );
    await signIn(page, url, viewerToken);
    await page.keyboard.press('2');
    await waitUntilLive(page);

    // Act: the connection drops and stays refused while an agent registers
    refuse = true;
    await connections.at(-1)?.close();
    await page.locator('#connection[data-state="offline"]').waitFor({ timeout: LIVE_WAIT_MS });
    const offlineText = await page.locator('#connection-text').textContent();
    const agent = await registerAgent(uniqueName('missed'));
    const agentRow = page.locator(`#view-agents tr[data-row-key="${agent.id}"]`);
    expect(await agentRow.count()).toBe(0);
    refuse = false;
    await page.getByRole('button', { name: 'Reconnect now' }).click();

    // Assert: it said it was disconnected, is live again, and shows the agent it missed
    expect(offlineText).toMatch(/^Disconnected: retrying in \d+ s$/);
    await waitUntilLive(page);
    await agentRow.waitFor({ timeout: LIVE_WAIT_MS });
    expect(connections.length).toBeGreaterThanOrEqual(2);
    expect(errors).toEqual([]);
    await page.close();
  });

  // A stack of its own: a changed lease would reach claims of tests running beside these.
  describe('configuration', () => {
    let own: SpawnedStack;
    let ownAdmin: ApiClient;
    let original: SettingsView;

    beforeAll(async () => {
      own = await spawnLocalStack({ ...besideRunStack(), COORD_HANDLER_TIMEOUT_MS: '300000' });
      ownAdmin = new ApiClient(own.url, own.adminToken);
      const config = await ownAdmin.get<SettingsView>('/v1/config');
      expect(config.status, config.text).toBe(200);
      original = config.body;
    });

    afterAll(async () => {
      await own?.stop();
    });

    it('saves an admin change that then applies to new claims', async () => {
      // Arrange
      const { page, errors } = await openPage();
      await signIn(page, own.url, own.adminToken);
      await page.keyboard.press('6');
      const field = page.getByLabel('Lease (seconds)');
      await expect.poll(() => field.inputValue(), SLOW).toBe(String(original.leaseSeconds));
      const leaseSeconds = original.leaseSeconds + 37;

      // Act
      await field.fill(String(leaseSeconds));
      await page.getByRole('button', { name: 'Save configuration' }).click();

      // Assert: the page says saved, the API has it, and a claim now gets that lease
      await expect.poll(() => page.locator('#config-saved').textContent(), SLOW).toContain('Saved');
      const config = await ownAdmin.get<SettingsView>('/v1/config');
      expect(config.body.leaseSeconds).toBe(leaseSeconds);
      const registered = await ownAdmin
        .as(own.registrationKey)
        .post<{ token: string }>('/v1/agents', { id: 'cfg-agent', team: 'cfg' });
      expect(registered.status, registered.text).toBe(201);
      const item = await ownAdmin.post<{ id: string }>('/v1/work', {
        type: 'task',
        title: 'lease check',
        team: 'cfg',
      });
      expect(item.status, item.text).toBe(201);
      const claimed = await ownAdmin
        .as(registered.body.token)
        .post<ClaimView>(`/v1/work/${item.body.id}/claim`, { agentId: 'cfg-agent' });
      expect(claimed.status, claimed.text).toBe(200);
      const claim = claimed.body;
      const granted = Date.parse(claim.claim.leaseExpiresAt) - Date.parse(claim.item.claim?.claimedAt ?? '');
      expect(granted).toBe(leaseSeconds * 1000);
      await screenshot(page, 'admin-config-saved');
      expect(errors).toEqual([]);
      await page.close();
    });

    it("shows the API's validation message next to a field with a bad value, and changes nothing", async () => {
      // Arrange: what the API says about this value
      const refused = await ownAdmin.put('/v1/config', { leaseSeconds: 1 });
      expect(refused.status, refused.text).toBe(400);
      const apiMessage = ((refused.error?.details.errors ?? []) as { path: string; message: string }[]).find(
        (e) => e.path === '/leaseSeconds',
      )?.message;
      expect(apiMessage).toEqual(expect.any(String));
      const before = await ownAdmin.get<SettingsView>('/v1/config');
      const { page, errors } = await openPage();
      await signIn(page, own.url, own.adminToken);
      await page.keyboard.press('6');
      const field = page.getByLabel('Lease (seconds)');
      await expect.poll(() => field.inputValue(), SLOW).toBe(String(before.body.leaseSeconds));

      // Act
      await field.fill('1');
      await page.getByRole('button', { name: 'Save configuration' }).click();

      // Assert: the message sits under the field, which is marked invalid and points at it
      const message = page.locator('#config-leaseSeconds-error');
      await expect.poll(() => message.textContent(), SLOW).toBe(apiMessage);
      expect(await field.getAttribute('aria-invalid')).toBe('true');
      expect(await field.getAttribute('aria-describedby')).toContain('config-leaseSeconds-error');
      expect(await page.locator('#config-saved').textContent()).toBe('');
      const after = await ownAdmin.get<SettingsView>('/v1/config');
      expect(after.body).toEqual(before.body);
      await screenshot(page, 'admin-config-error');
      expect(errors).toEqual([]);
      await page.close();
    });
  });

  it('lets an admin resolve an open escalation from the keyboard', async () => {
    // Arrange: an item whose one attempt failed is escalated
    const team = uniqueName('esc');
    const agent = await registerAgent(team);
    const item = await createWork(team, { title: `escalates ${team}`, maxAttempts: 1 });
    const claim = await claimWork(agent, item.id);
    const failed = await agent.api.post(`/v1/work/${item.id}/fail`, {
      claimToken: claim.claim.token,
      reason: 'broken build',
    });
    expect(failed.status, failed.text).toBe(200);
    const open = await pollUntil(
      () =>
        admin.get<{ items: { id: string; workId: string }[] }>(`/v1/escalations?status=open&team=${team}`),
      (answer) => answer.body.items.length === 1,
      { timeoutMs: LIVE_WAIT_MS, what: 'the escalation to be recorded' },
    );
    const escalationId = open.body.items[0]?.id as string;
    const { page, errors } = await openPage();
    await signIn(page, url, adminToken);

    // Act: open the escalations view, select this one, press r
    await page.keyboard.press('4');
    const entry = page.locator('#view-escalations li.escalation', { hasText: item.id });
    await entry.locator('p').click();
    await page.keyboard.press('r');

    // Assert: resolved in the API, and gone from the open list
    await pollUntil(
      () => admin.get<{ items: { id: string; status: string }[] }>(`/v1/escalations?team=${team}`),
      (answer) =>
        answer.status === 200 &&
        answer.body.items.some((e) => e.id === escalationId && e.status === 'resolved'),
      { timeoutMs: 15_000, what: 'the escalation to be resolved' },
    );
    await entry.waitFor({ state: 'detached', timeout: 15_000 });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('fits a 390 px wide phone screen in every view, and lists its shortcuts under ?', async () => {
    // Arrange
    const team = uniqueName('phone');
    await registerAgent(team);
    await createWork(team, { title: 'a title long enough to wrap on a narrow phone screen' });
    const { page, errors } = await openPage({ width: 390, height: 844 });
    await signIn(page, url, viewerToken);

    for (const [key, view] of [
      ['1', 'overview'],
      ['2', 'agents'],
      ['3', 'queue'],
      ['4', 'escalations'],
      ['5', 'audit'],
      ['6', 'config'],
    ] as const) {
      // Act
      await page.keyboard.press(key);
      await page.locator(`#view-${view}`).waitFor({ state: 'visible' });
      await expect.poll(() => page.locator(`#view-${view} .load-status`).textContent(), SLOW).toBe('');

      // Assert: nothing is wider than the screen
      const widest = (await page.evaluate('document.documentElement.scrollWidth')) as number;
      expect(widest, `${view} is wider than the screen`).toBeLessThanOrEqual(390);
      await screenshot(page, `phone-${view}`);
    }

    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    expect(await help.textContent()).toContain('Search in the current view');
    expect(errors).toEqual([]);
    await page.close();
  });
});
