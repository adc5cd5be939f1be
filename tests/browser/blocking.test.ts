import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiSession } from './support/api.js';
import { launchChromium, openPage, screenshot, type TestPage } from './support/browser.js';
import {
  contact,
  countMessages,
  expectText,
  messageItem,
  newPerson,
  openChatWith,
  register,
  send,
} from './support/chat-ui.js';

/** Block / Unblock in the conversation header and the "Blocked people" panel, against the real server. */
describe('blocking', () => {
  let browser: Browser;
  let alice: TestPage;
  let bob: TestPage;
  let aliceApi: ApiSession;
  let bobId = '';
  const alicePerson = newPerson('Alice');
  const bobPerson = newPerson('Bob');
  const baseUrl = inject('apiUrl');

  const header = () => alice.page.locator('.conversation-header');
  const headerButton = (name: 'Block' | 'Unblock') => header().getByRole('button', { name, exact: true });

  beforeAll(async () => {
    browser = await launchChromium();
    alice = await openPage(browser, baseUrl);
    bob = await openPage(browser, baseUrl);
    await register(alice.page, alicePerson);
    await register(bob.page, bobPerson);
    aliceApi = await ApiSession.login(baseUrl, alicePerson);
    await openChatWith(bob.page, alicePerson);
    await send(bob.page, 'hi Alice');
    await contact(alice.page, bobPerson).click();
    await messageItem(alice.page, 'hi Alice').waitFor();
    await send(alice.page, 'hi Bob');
    await messageItem(bob.page, 'hi Bob').waitFor();
    bobId = (await aliceApi.contacts())[0] ?? '';
    expect(bobId).not.toBe('');
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('blocks from the conversation header: Unblock is offered and the conversation leaves the list', async () => {
    await headerButton('Block').click();
    await headerButton('Unblock').waitFor();
    await expectText(
      alice.page.getByRole('status').filter({ hasText: 'You blocked' }),
      bobPerson.displayName,
    );
    expect(await alice.page.getByLabel('Message', { exact: true }).count()).toBe(0);
    await expect.poll(() => contact(alice.page, bobPerson).count()).toBe(0);
    expect(await aliceApi.contacts()).not.toContain(bobId);
    await screenshot(alice.page, '16-blocked-conversation');
  });

  it("refuses the blocked person's message: they see it failed with the reason, Alice never gets it", async () => {
    await send(bob.page, 'are you there?');
    const refused = messageItem(bob.page, 'are you there?');
    await expect.poll(() => refused.getAttribute('data-state')).toBe('failed');
    await expectText(refused, 'Not sent');
    await expectText(refused, 'does not accept your messages');
    await screenshot(bob.page, '17-refused-by-block');

    expect(await countMessages(alice.page, 'are you there?')).toBe(0);
    expect(await aliceApi.history(bobId)).not.toContain('are you there?');
    await expect.poll(() => contact(alice.page, bobPerson).count()).toBe(0);
  });

  it('lists the blocked person under "Blocked people" and unblocks them there', async () => {
    await alice.page.getByRole('button', { name: 'Blocked people', exact: true }).click();
    const dialog = alice.page.getByRole('dialog', { name: 'Blocked people' });
    const entry = dialog.getByRole('listitem').filter({ hasText: bobPerson.displayName });
    await entry.waitFor();
    await screenshot(alice.page, '18-blocked-people');
    await entry.getByRole('button', { name: 'Unblock' }).click();
    await expectText(dialog, "You haven't blocked anyone.");
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    await headerButton('Block').waitFor();
    await alice.page.getByLabel('Message', { exact: true }).waitFor();
  });

  it('lets them write again once unblocked; the refused message can be retried', async () => {
    await send(bob.page, 'back again');
    await messageItem(alice.page, 'back again').waitFor();
    await contact(alice.page, bobPerson).waitFor();

    await messageItem(bob.page, 'are you there?').getByRole('button', { name: 'Retry', exact: true }).click();
    await messageItem(alice.page, 'are you there?').waitFor();
    await expect
      .poll(() => messageItem(bob.page, 'are you there?').getAttribute('data-state'))
      .not.toBe('failed');
    expect(await aliceApi.history(bobId)).toEqual(['hi Alice', 'hi Bob', 'back again', 'are you there?']);
  });

  it('toggles Block / Unblock from the header alone', async () => {
    await headerButton('Block').click();
    await headerButton('Unblock').waitFor();
    await headerButton('Unblock').click();
    await headerButton('Block').waitFor();
    await send(alice.page, 'friends again');
    await messageItem(bob.page, 'friends again').waitFor();
  });

  it('fits a phone screen: the top bar with "Blocked people" and the conversation header', async () => {
    await alice.page.setViewportSize({ width: 360, height: 740 });
    for (const selector of ['.top-bar', '.conversation-header']) {
      const overflow = await alice.page.evaluate(
        `(() => { const e = document.querySelector('${selector}'); return e.scrollWidth - e.clientWidth; })()`,
      );
      expect(overflow, selector).toBeLessThanOrEqual(0);
    }
    await screenshot(alice.page, '19-phone-blocking');
  });

  it('has no page errors', () => {
    expect(alice.problems).toEqual([]);
    expect(bob.problems).toEqual([]);
  });
});
