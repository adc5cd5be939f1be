import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiSession } from './support/api.js';
import { launchChromium, openPage, type TestPage } from './support/browser.js';
import { expectText, messageItem, messageLog, newPerson, send, signIn } from './support/chat-ui.js';
import { GatewayJitter } from './support/gateway-jitter.js';
import { groupContact } from './support/group-ui.js';

const burst = (label: string, count = 8): string[] =>
  Array.from({ length: count }, (_, i) => `${label} ${String(i + 1).padStart(2, '0')}`);

const shown = async (page: Page, label: string): Promise<string[]> =>
  (await messageLog(page).locator('li.msg .body').allTextContents()).filter((body) => body.startsWith(label));

/**
 * A group's composer is the 1:1 outbox: sends typed while offline, or while only HTTP works, reach the
 * other member in the order typed and are stored once, although the gateway stores a burst reversed.
 */
describe('group send order', () => {
  let browser: Browser;
  let alice: TestPage;
  let bob: TestPage;
  let jitter: GatewayJitter;
  let bobApi: ApiSession;
  let groupId = '';
  const alicePerson = newPerson('Alice');
  const bobPerson = newPerson('Bob');
  const groupName = `Ordered ${crypto.randomUUID().slice(0, 6)}`;
  const baseUrl = inject('apiUrl');

  const waitOnline = async () => {
    await alice.page.evaluate("document.querySelector('.offline-banner button')?.click()");
    await expect.poll(() => jitter.openSockets, { timeout: 20_000 }).toBeGreaterThan(0);
  };
  const expectDelivered = async (label: string, texts: readonly string[]) => {
    await expect.poll(() => shown(bob.page, label), { timeout: 30_000 }).toEqual(texts);
    expect((await bobApi.groupHistory(groupId)).filter((body) => body.startsWith(label))).toEqual(texts);
    await expect.poll(() => shown(alice.page, label)).toEqual(texts);
  };

  beforeAll(async () => {
    browser = await launchChromium();
    alice = await openPage(browser, baseUrl);
    bob = await openPage(browser, baseUrl);
    jitter = await GatewayJitter.install(alice.context);
    const aliceApi = await ApiSession.register(baseUrl, alicePerson);
    bobApi = await ApiSession.register(baseUrl, bobPerson);
    groupId = await aliceApi.createGroup(groupName, [bobApi.userId]);
    await signIn(alice.page, alicePerson);
    await signIn(bob.page, bobPerson);
    await groupContact(alice.page, groupName).click();
    await groupContact(bob.page, groupName).click();
    await send(alice.page, 'hello group');
    await messageItem(bob.page, 'hello group').waitFor();
  });

  afterEach(() => {
    jitter.reset();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('delivers messages typed while offline in the typed order, once each', async () => {
    const texts = burst('offline');
    await waitOnline();
    await alice.context.setOffline(true);
    await jitter.closeSockets();
    await expectText(alice.page.locator('.offline-banner'), "You're offline");
    for (const text of texts) await send(alice.page, text);
    await messageItem(alice.page, 'offline 08').and(alice.page.locator('[data-state="queued"]')).waitFor();

    await alice.context.setOffline(false);
    await waitOnline();
    await expectDelivered('offline', texts);
  });

  it('keeps the order over POST /chat/groups/{id}/messages while the socket cannot connect', async () => {
    const texts = burst('fallback');
    jitter.refuseTickets(true);
    await jitter.closeSockets();
    await expectText(alice.page.locator('.offline-banner'), "You're offline");
    jitter.coldStartNext(1_500);
    for (const text of texts) await send(alice.page, text);
    await expectDelivered('fallback', texts);
    expect(alice.problems).toEqual([]);
  });
});
