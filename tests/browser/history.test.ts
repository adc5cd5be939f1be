import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiSession } from './support/api.js';
import { launchChromium, openPage, screenshot, type TestPage } from './support/browser.js';
import { contact, expectText, messageLog, newPerson, signIn } from './support/chat-ui.js';

const TOTAL = 75;
const label = (n: number): string => `history #${String(n).padStart(2, '0')}`;

describe('conversation history', () => {
  let browser: Browser;
  let reader: TestPage;
  const baseUrl = inject('apiUrl');
  const me = newPerson('Reader');
  const writer = newPerson('Writer');

  beforeAll(async () => {
    browser = await launchChromium();
    reader = await openPage(browser, baseUrl, { width: 900, height: 700 });
    const mine = await ApiSession.register(baseUrl, me);
    const theirs = await ApiSession.register(baseUrl, writer);
    for (let n = 1; n <= TOTAL; n += 1) await theirs.send(mine.userId, label(n));
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('shows the unread count, opens on the newest page and loads older pages while scrolling up', async () => {
    await signIn(reader.page, me);
    await expectText(contact(reader.page, writer).locator('.badge'), String(TOTAL));
    await contact(reader.page, writer).click();
    const log = messageLog(reader.page);
    await log.locator('.body').getByText(label(TOTAL), { exact: true }).waitFor();
    const firstPage = await log.locator('li.msg').count();
    expect(firstPage).toBeLessThan(TOTAL);

    await expect
      .poll(
        async () => {
          // A reader scrolling up with the mouse wheel.
          await log.hover();
          await reader.page.mouse.wheel(0, -4000);
          return log.locator('li.msg').count();
        },
        { timeout: 15_000, interval: 250 },
      )
      .toBe(TOTAL);
    await expectText(log, 'This is the start of your conversation.');
    await log.locator('.body').getByText(label(1), { exact: true }).waitFor();
    await screenshot(reader.page, '13-history-start');

    const bodies = await log.locator('li.msg .body').allTextContents();
    expect(bodies).toEqual(Array.from({ length: TOTAL }, (_, i) => label(i + 1)));
    expect(await contact(reader.page, writer).locator('.badge').count()).toBe(0);
    expect(reader.problems).toEqual([]);
  });
});
