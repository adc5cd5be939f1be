import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, openPage, screenshot, type TestPage } from './support/browser.js';
import {
  contact,
  countMessages,
  expectText,
  messageItem,
  messageLog,
  newPerson,
  openChatWith,
  register,
  send,
} from './support/chat-ui.js';

const XSS = '<img src=x onerror=alert(1)>';

describe('two people chatting in real time', () => {
  let browser: Browser;
  let alice: TestPage;
  let bob: TestPage;
  const alicePerson = newPerson('Alice');
  const bobPerson = newPerson('Bob');

  beforeAll(async () => {
    browser = await launchChromium();
    // Two isolated profiles: separate cookie jars, separate sessions.
    alice = await openPage(browser, inject('apiUrl'));
    bob = await openPage(browser, inject('apiUrl'));
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('registers both people and shows the empty chat screen', async () => {
    await alice.page.goto('/');
    await alice.page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await screenshot(alice.page, '01-sign-in');
    await register(alice.page, alicePerson);
    await register(bob.page, bobPerson);
    await screenshot(bob.page, '02-empty-chat');
  });

  it('finds the other person, and a first message arrives live with an unread badge', async () => {
    await alice.page
      .getByLabel('Search people', { exact: true })
      .fill(bobPerson.displayName.split(' ')[1] ?? '');
    await alice.page.getByRole('list', { name: 'People found' }).waitFor();
    await screenshot(alice.page, '03-people-search');
    await openChatWith(alice.page, bobPerson);
    await send(alice.page, 'Hi Bob!');
    await messageItem(alice.page, 'Hi Bob!').and(alice.page.locator('[data-state="sent"]')).waitFor();

    const bobsContact = contact(bob.page, alicePerson);
    await expectText(bobsContact, 'Hi Bob!');
    await expectText(bobsContact.locator('.badge'), '1');
    await screenshot(bob.page, '04-contact-unread');
  });

  it("clears Bob's unread badge when he opens the conversation", async () => {
    await contact(bob.page, alicePerson).click();
    await messageItem(bob.page, 'Hi Bob!').waitFor();
    await expect.poll(() => contact(bob.page, alicePerson).locator('.badge').count()).toBe(0);
  });

  // Presence, typing and receipts stay inside a mutual conversation: until Bob answers, a stranger's message
  // tells Alice nothing about him.
  it('once Bob answers, receipts, presence and typing flow both ways', async () => {
    await send(bob.page, 'Hey Alice!');
    await messageItem(alice.page, 'Hey Alice!').waitFor();
    await expectText(messageItem(bob.page, 'Hey Alice!').locator('.status'), 'Read');
    await expectText(contact(alice.page, bobPerson), ', online');
    await expectText(contact(bob.page, alicePerson), ', online');

    await send(alice.page, 'How are you?');
    await messageItem(bob.page, 'How are you?').waitFor();
    await expectText(messageItem(alice.page, 'How are you?').locator('.status'), 'Read');
    await expectText(messageItem(alice.page, 'Hi Bob!').locator('.status'), 'Read');

    await bob.page.getByLabel('Message', { exact: true }).pressSequentially('Great, th', { delay: 20 });
    await expectText(alice.page.locator('.conversation-header'), `${bobPerson.displayName} is typing…`);
    await screenshot(alice.page, '05-typing');
    await bob.page.getByLabel('Message', { exact: true }).press('End');
    await bob.page.getByLabel('Message', { exact: true }).pressSequentially('anks.');
    await bob.page.getByLabel('Message', { exact: true }).press('Enter');
    await messageItem(alice.page, 'Great, thanks.').waitFor();
    await expectText(messageItem(bob.page, 'Great, thanks.').locator('.status'), 'Read');
    await screenshot(alice.page, '06-conversation');
  });

  it('shows markup in a message literally and never runs it', async () => {
    await send(alice.page, XSS);
    const received = messageItem(bob.page, XSS);
    await received.waitFor();
    expect(await received.locator('.body').textContent()).toBe(XSS);
    expect(await messageLog(bob.page).locator('img').count()).toBe(0);
    expect(await messageLog(alice.page).locator('img').count()).toBe(0);
    await expectText(contact(bob.page, alicePerson).locator('.preview'), XSS);
    await screenshot(bob.page, '07-markup-as-text');
  });

  it('delivered every message exactly once on both sides, with no page errors', async () => {
    for (const text of ['Hi Bob!', 'Hey Alice!', 'How are you?', 'Great, thanks.', XSS]) {
      expect(await countMessages(alice.page, text), text).toBe(1);
      expect(await countMessages(bob.page, text), text).toBe(1);
    }
    expect(alice.problems).toEqual([]);
    expect(bob.problems).toEqual([]);
  });

  it('fits a phone screen: the conversation, then back to the list', async () => {
    await alice.page.setViewportSize({ width: 390, height: 780 });
    await screenshot(alice.page, '14-phone-conversation');
    await alice.page.getByRole('button', { name: 'Back to conversations' }).click();
    await contact(alice.page, bobPerson).waitFor();
    await screenshot(alice.page, '15-phone-contacts');
    await contact(alice.page, bobPerson).click();
    await alice.page.setViewportSize({ width: 1200, height: 800 });
  });

  it('shows the peer going offline when their tab closes', async () => {
    await bob.context.close();
    await expectText(alice.page.locator('.conversation-header .presence'), 'Offline');
  });
});
