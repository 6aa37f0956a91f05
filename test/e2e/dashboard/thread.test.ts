/**
 * An item's thread in the dashboard, in headless Chromium against the running local stack: a
 * member answers on an item and the agent's WebSocket (and inbox) receives it; an agent's message arrives
 * live; a body holding markup shows as its characters and runs nothing.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { MessageView } from '#app/schemas/messages-thread';
import { launchChromium, pageErrors, screenshot, signIn } from '#test/support/browser';
import { createWork, registerAgent, stackClients, uniqueName } from '#test/support/e2e-fixtures';
import { liveClientsOf } from '#test/support/ws-client';

const LIVE_WAIT_MS = 20_000;
const SLOW = { timeout: 15_000 };
const HOSTILE = '<img src=x onerror="window.pwned=1"> & <b>bold</b>';

const openLive = liveClientsOf(inject('localStack').wsUrl);

describe("the dashboard's item thread", () => {
  const { url, admin } = stackClients();
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  const issue = async (role: 'member' | 'viewer', team: string): Promise<string> => {
    const issued = await admin.post<{ token: string }>('/v1/tokens', {
      role,
      ...(role === 'member' ? { team } : {}),
      label: 'thread test',
    });
    expect(issued.status, issued.text).toBe(201);
    return issued.body.token;
  };

  it("shows the thread oldest first with markup as text, appends an agent's message live, and sends a member's answer to the agent", async () => {
    // Arrange: an item of a fresh team, a hostile message already on it, the agent following it
    const team = uniqueName('thread');
    const agent = await registerAgent(team);
    const item = await createWork(team, { title: `thread item ${team}` });
    const first = await agent.api.post<MessageView>(`/v1/work/${item.id}/messages`, { body: HOSTILE });
    expect(first.status, first.text).toBe(201);
    const live = await openLive(agent.token);
    await live.subscribe([`work:${item.id}`]);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors = pageErrors(page);
    await signIn(page, url, await issue('member', team));
    await expect.poll(() => page.locator('#role').textContent(), SLOW).toBe('member');

    // Act: open the item from the queue
    await page.keyboard.press('3');
    await page.locator(`#view-queue tr[data-row-key="${item.id}"] button`).click();
    const thread = page.getByTestId('thread');
    await thread.locator(`[data-message-id="${first.body.id}"]`).waitFor({ timeout: LIVE_WAIT_MS });

    // Assert: the body is the characters that were sent; no element was made of them, nothing ran
    expect(await thread.locator('.message-body').first().textContent()).toBe(HOSTILE);
    expect(await page.locator('#item-body img, #item-body b').count()).toBe(0);
    expect(await page.evaluate('window.pwned')).toBeUndefined();

    // Act: the agent says more while the page is open
    const second = await agent.api.post<MessageView>(`/v1/work/${item.id}/messages`, {
      body: 'second line\nwith a newline',
    });
    expect(second.status, second.text).toBe(201);

    // Assert: appended after the first, without a reload
    await thread.locator(`[data-message-id="${second.body.id}"]`).waitFor({ timeout: LIVE_WAIT_MS });
    expect(
      await thread.locator('li.message').evaluateAll((items) => items.map((li) => li.dataset.messageId)),
    ).toEqual([first.body.id, second.body.id]);

    // Act: the member answers in the box
    const answer = `Use the staging bucket ${team}`;
    await page.getByLabel('Answer on this item').fill(answer);
    await page.getByRole('button', { name: 'Send' }).click();

    // Assert: the agent's WebSocket gets it as a message from a member, and the thread shows it once
    const received = await live.waitFor(
      (message) => message.type === 'message' && (message.data as { body?: string }).body === answer,
      LIVE_WAIT_MS,
    );
    expect(received.data).toMatchObject({
      workId: item.id,
      from: { type: 'member' },
      body: answer,
      mentions: [agent.id],
    });
    const inbox = await agent.api.get<{ items: MessageView[] }>(`/v1/agents/${agent.id}/messages?unread=1`);
    expect(inbox.body.items.map((message) => message.body)).toEqual([answer]);
    await expect.poll(() => thread.locator('li.message').count(), SLOW).toBe(3);
    expect(await page.getByLabel('Answer on this item').inputValue()).toBe('');
    await screenshot(page, 'item-thread');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a viewer the thread without an answer box', async () => {
    const team = uniqueName('thread');
    const agent = await registerAgent(team);
    const item = await createWork(team, { title: `viewer item ${team}` });
    const posted = await agent.api.post<MessageView>(`/v1/work/${item.id}/messages`, { body: 'hello' });
    expect(posted.status, posted.text).toBe(201);
    const page = await browser.newPage();
    await signIn(page, url, await issue('viewer', team));
    await expect.poll(() => page.locator('#role').textContent(), SLOW).toBe('viewer');

    await page.keyboard.press('3');
    await page.locator(`#view-queue tr[data-row-key="${item.id}"] button`).click();

    await page
      .getByTestId('thread')
      .locator(`[data-message-id="${posted.body.id}"]`)
      .waitFor({ timeout: LIVE_WAIT_MS });
    expect(await page.getByTestId('thread-reply').count()).toBe(0);
    await page.close();
  });
});
