import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiSession } from './support/api.js';
import { launchChromium, openPage, screenshot, type TestPage } from './support/browser.js';
import {
  countMessages,
  expectText,
  messageItem,
  newPerson,
  openChatWith,
  type Person,
  register,
  send,
} from './support/chat-ui.js';
import { groupContact, openMembers, pickPerson } from './support/group-ui.js';

/** Three people in one group (issue 13): create, chat with sender names, unread, rename, leave, re-add. */
describe('three people chatting in one group', () => {
  let browser: Browser;
  let alice: TestPage;
  let bob: TestPage;
  let carol: TestPage;
  const baseUrl = inject('apiUrl');
  const alicePerson = newPerson('Alice');
  const bobPerson = newPerson('Bob');
  const carolPerson = newPerson('Carol');
  const suffix = randomUUID().slice(0, 6);
  const firstName = `Weekend plans ${suffix}`;
  // Markup in a name is shown as text and never runs (an alert would show up in `problems`).
  const newName = `Lake <img src=x onerror=alert(1)> ${suffix}`;

  /** The message as a member other than its sender sees it: with the sender's name. */
  const seenFrom = async (page: Page, text: string, sender: Person) => {
    const item = messageItem(page, text);
    await item.waitFor();
    await expectText(item.locator('.sender'), sender.displayName);
  };

  beforeAll(async () => {
    browser = await launchChromium();
    alice = await openPage(browser, baseUrl);
    bob = await openPage(browser, baseUrl);
    carol = await openPage(browser, baseUrl);
    await register(alice.page, alicePerson);
    await register(bob.page, bobPerson);
    await register(carol.page, carolPerson);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('Alice creates a group with Bob and Carol, and it appears live in their lists', async () => {
    await alice.page.getByRole('button', { name: 'New group', exact: true }).click();
    const dialog = alice.page.getByRole('dialog', { name: 'New group' });
    await dialog.getByLabel('Group name', { exact: true }).fill(firstName);
    await pickPerson(dialog, 'Add people', bobPerson);
    await pickPerson(dialog, 'Add people', carolPerson);
    await dialog
      .getByRole('list', { name: 'Members of the new group' })
      .getByText(carolPerson.displayName)
      .waitFor();
    await screenshot(alice.page, '20-new-group');
    await dialog.getByRole('button', { name: 'Create group', exact: true }).click();
    await alice.page.getByRole('heading', { name: firstName, level: 2 }).waitFor();
    await expectText(alice.page.locator('.conversation-header .presence'), '3 members');

    await groupContact(bob.page, firstName).waitFor();
    await groupContact(carol.page, firstName).waitFor();
    await screenshot(bob.page, '21-group-in-contacts');
  });

  it("delivers each member's message live to the others, with the sender's name", async () => {
    await groupContact(bob.page, firstName).click();
    await groupContact(carol.page, firstName).click();
    await bob.page.getByRole('heading', { name: firstName, level: 2 }).waitFor();
    await carol.page.getByRole('heading', { name: firstName, level: 2 }).waitFor();

    await send(alice.page, 'Hello team');
    await seenFrom(bob.page, 'Hello team', alicePerson);
    await seenFrom(carol.page, 'Hello team', alicePerson);
    await messageItem(alice.page, 'Hello team').and(alice.page.locator('[data-state="sent"]')).waitFor();
    expect(await messageItem(alice.page, 'Hello team').locator('.sender').count()).toBe(0);

    await send(bob.page, 'Hi from Bob');
    await seenFrom(alice.page, 'Hi from Bob', bobPerson);
    await seenFrom(carol.page, 'Hi from Bob', bobPerson);

    await send(carol.page, 'Carol here');
    await seenFrom(alice.page, 'Carol here', carolPerson);
    await seenFrom(bob.page, 'Carol here', carolPerson);
    await screenshot(carol.page, '22-group-conversation');
  });

  it('shows who is typing in the group', async () => {
    await bob.page.getByLabel('Message', { exact: true }).pressSequentially('Sounds g', { delay: 20 });
    await expectText(alice.page.locator('.conversation-header'), `${bobPerson.displayName} is typing…`);
    await bob.page.getByLabel('Message', { exact: true }).fill('');
  });

  it('counts unread group messages for a member looking elsewhere, and clears them when opened', async () => {
    await openChatWith(carol.page, alicePerson);
    await send(alice.page, 'Unread for Carol');
    await seenFrom(bob.page, 'Unread for Carol', alicePerson);
    await expectText(groupContact(carol.page, firstName).locator('.badge'), '1');
    await expectText(groupContact(carol.page, firstName).locator('.preview'), 'Unread for Carol');
    await screenshot(carol.page, '23-group-unread');

    await groupContact(carol.page, firstName).click();
    await seenFrom(carol.page, 'Unread for Carol', alicePerson);
    await expect.poll(() => groupContact(carol.page, firstName).locator('.badge').count()).toBe(0);
  });

  it('lets Alice, the admin, rename the group for everyone', async () => {
    const dialog = await openMembers(alice.page);
    await expectText(dialog.getByRole('list', { name: 'Members' }), 'Admin');
    await dialog.getByLabel('Group name', { exact: true }).fill(newName);
    await dialog.getByRole('button', { name: 'Rename group', exact: true }).click();
    await alice.page.getByRole('heading', { name: `Members of ${newName}` }).waitFor();
    await screenshot(alice.page, '24-group-members');
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();

    await alice.page.getByRole('heading', { name: newName, level: 2 }).waitFor();
    await bob.page.getByRole('heading', { name: newName, level: 2 }).waitFor();
    await groupContact(carol.page, newName).waitFor();
    for (const { page } of [alice, bob, carol]) expect(await page.locator('chat-app img').count()).toBe(0);
  });

  it('offers members no admin controls', async () => {
    const dialog = await openMembers(bob.page);
    await dialog.getByRole('button', { name: 'Leave group', exact: true }).waitFor();
    expect(await dialog.getByRole('button', { name: 'Add members' }).count()).toBe(0);
    expect(await dialog.getByRole('button', { name: 'Rename group' }).count()).toBe(0);
    expect(await dialog.getByRole('button', { name: /^Remove / }).count()).toBe(0);
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
  });

  it('takes the group off Carol’s list at once when she leaves, and she gets nothing more', async () => {
    const dialog = await openMembers(carol.page);
    await dialog.getByRole('button', { name: 'Leave group', exact: true }).click();
    await expect.poll(() => groupContact(carol.page, newName).count()).toBe(0);
    await expectText(carol.page.getByRole('status').filter({ hasText: 'You left this group' }), 'left');
    expect(await carol.page.getByLabel('Message', { exact: true }).count()).toBe(0);
    await expectText(alice.page.locator('.conversation-header .presence'), '2 members');
    await screenshot(carol.page, '25-left-group');

    await send(alice.page, 'Just the two of us');
    await seenFrom(bob.page, 'Just the two of us', alicePerson);
    await send(bob.page, 'Carol is gone');
    await seenFrom(alice.page, 'Carol is gone', bobPerson);
    expect(await countMessages(carol.page, 'Just the two of us')).toBe(0);
    expect(await countMessages(carol.page, 'Carol is gone')).toBe(0);
  });

  it('brings the group back to Carol when Alice adds her again, from her re-join on', async () => {
    const dialog = await openMembers(alice.page);
    await pickPerson(dialog, 'Find people to add', carolPerson);
    await dialog.getByRole('button', { name: 'Add members', exact: true }).click();
    await expectText(dialog.getByRole('list', { name: 'Members' }), carolPerson.displayName);
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    await expectText(alice.page.locator('.conversation-header .presence'), '3 members');

    await groupContact(carol.page, newName).click();
    await carol.page.getByLabel('Message', { exact: true }).waitFor();
    await send(alice.page, 'Welcome back, Carol');
    await seenFrom(carol.page, 'Welcome back, Carol', alicePerson);
    await seenFrom(bob.page, 'Welcome back, Carol', alicePerson);
    // What was said while she was out is not hers to read.
    expect(await countMessages(carol.page, 'Just the two of us')).toBe(0);
    const groupId = (await groupContact(carol.page, newName).getAttribute('data-group')) ?? '';
    const carolApi = await ApiSession.login(baseUrl, carolPerson);
    expect(await carolApi.groupHistory(groupId)).toEqual(['Welcome back, Carol']);
    await send(carol.page, 'Glad to be back');
    await seenFrom(alice.page, 'Glad to be back', carolPerson);
    await screenshot(carol.page, '26-back-in-group');
  });

  it('fits a phone screen: the group, its members, then back to the list', async () => {
    await alice.page.setViewportSize({ width: 390, height: 780 });
    await alice.page.getByRole('heading', { name: newName, level: 2 }).waitFor();
    await screenshot(alice.page, '27-phone-group');
    const dialog = await openMembers(alice.page);
    await screenshot(alice.page, '28-phone-group-members');
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    await alice.page.getByRole('button', { name: 'Back to conversations' }).click();
    await groupContact(alice.page, newName).click();
    await messageItem(alice.page, 'Glad to be back').waitFor();
    await alice.page.setViewportSize({ width: 1200, height: 800 });
  });

  it('delivered every message once to each member in it, with no page errors', async () => {
    for (const text of [
      'Hello team',
      'Hi from Bob',
      'Unread for Carol',
      'Just the two of us',
      'Welcome back, Carol',
    ]) {
      expect(await countMessages(alice.page, text), text).toBe(1);
      expect(await countMessages(bob.page, text), text).toBe(1);
    }
    expect(alice.problems).toEqual([]);
    expect(bob.problems).toEqual([]);
    expect(carol.problems).toEqual([]);
  });
});
