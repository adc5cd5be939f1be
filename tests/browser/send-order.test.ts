import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiSession } from './support/api.js';
import { launchChromium, openPage, screenshot, type TestPage } from './support/browser.js';
import {
  expectText,
  messageItem,
  messageLog,
  newPerson,
  openChatWith,
  register,
  send,
} from './support/chat-ui.js';
import { GatewayJitter } from './support/gateway-jitter.js';

const burst = (label: string, count = 10): string[] =>
  Array.from({ length: count }, (_, i) => `${label} ${String(i + 1).padStart(2, '0')}`);

/** Message bodies shown in the open conversation that start with `label`, top to bottom. */
const shown = async (page: Page, label: string): Promise<string[]> =>
  (await messageLog(page).locator('li.msg .body').allTextContents()).filter((body) => body.startsWith(label));

/**
 * The client keeps each conversation's sends in the order typed although the gateway runs every send
 * concurrently (GatewayJitter stores anything sent at once reversed): through an offline spell, the HTTP
 * fallback, rate limiting and a refused message.
 */
describe('send order', () => {
  let browser: Browser;
  let alice: TestPage;
  let bob: TestPage;
  let jitter: GatewayJitter;
  let bobApi: ApiSession;
  let aliceId = '';
  const alicePerson = newPerson('Alice');
  const bobPerson = newPerson('Bob');
  const baseUrl = inject('apiUrl');

  const banner = () => alice.page.locator('.offline-banner');
  /** Lets the socket connect again (skipping the backoff) and waits until it has. */
  const waitOnline = async () => {
    // "Retry now" if the banner still offers it (it may vanish any moment: clicked in the page, no race).
    await alice.page.evaluate("document.querySelector('.offline-banner button')?.click()");
    await expect.poll(() => jitter.openSockets, { timeout: 20_000 }).toBeGreaterThan(0);
  };
  const typeAll = async (texts: readonly string[]) => {
    for (const text of texts) await send(alice.page, text);
  };
  /** Bob's screen and the stored history both hold exactly `texts`, in that order. */
  const expectDelivered = async (label: string, texts: readonly string[]) => {
    await expect.poll(() => shown(bob.page, label), { timeout: 30_000 }).toEqual(texts);
    const stored = (await bobApi.history(aliceId)).filter((body) => body.startsWith(label));
    expect(stored).toEqual(texts);
  };

  beforeAll(async () => {
    browser = await launchChromium();
    alice = await openPage(browser, baseUrl);
    bob = await openPage(browser, baseUrl);
    jitter = await GatewayJitter.install(alice.context);
    await register(alice.page, alicePerson);
    await register(bob.page, bobPerson);
    bobApi = await ApiSession.login(baseUrl, bobPerson);
    await openChatWith(alice.page, bobPerson);
    await openChatWith(bob.page, alicePerson);
    await send(alice.page, 'hello');
    await messageItem(bob.page, 'hello').waitFor();
    aliceId = (await bobApi.contacts())[0] ?? '';
    expect(aliceId).not.toBe('');
  });

  afterEach(() => {
    jitter.reset();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('delivers ten messages typed while offline in the typed order, once each', async () => {
    const texts = burst('offline');
    await waitOnline();
    await alice.context.setOffline(true);
    await jitter.closeSockets();
    await expectText(banner(), "You're offline");
    await typeAll(texts);
    await messageItem(alice.page, 'offline 10').and(alice.page.locator('[data-state="queued"]')).waitFor();
    expect(await shown(bob.page, 'offline')).toEqual([]);

    await alice.context.setOffline(false);
    await waitOnline();
    await expectDelivered('offline', texts);
    await expect.poll(() => shown(alice.page, 'offline')).toEqual(texts);
    await screenshot(bob.page, '15-offline-burst-in-order');
  });

  it('keeps the order over the HTTP fallback while the socket cannot connect', async () => {
    const texts = burst('fallback');
    jitter.refuseTickets(true);
    await jitter.closeSockets();
    await expectText(banner(), "You're offline");
    jitter.coldStartNext(1_500);
    await typeAll(texts);
    await expectDelivered('fallback', texts);
  });

  it('waits out a 429 (Retry-After) on the HTTP fallback and keeps the order', async () => {
    const texts = burst('limited http', 5);
    let refused = 0;
    jitter.answerPosts((body) =>
      body.body === 'limited http 02' && refused++ === 0
        ? {
            status: 429,
            headers: { 'retry-after': '1' },
            body: { code: 'rate_limited', detail: 'Too many messages; slow down' },
          }
        : undefined,
    );
    jitter.refuseTickets(true);
    await jitter.closeSockets();
    await typeAll(texts);
    await expectDelivered('limited http', texts);
    expect(refused).toBeGreaterThan(0);
  });

  it('waits out a rate_limited error frame (retryAfter) and keeps the order', async () => {
    const texts = burst('limited ws', 5);
    await waitOnline();
    let refused = 0;
    jitter.answerFrames((frame) =>
      frame.body === 'limited ws 03' && refused++ === 0
        ? JSON.stringify({
            type: 'error',
            code: 'rate_limited',
            detail: 'Too many messages; slow down',
            clientMsgId: frame.clientMsgId,
            retryAfter: 1,
          })
        : undefined,
    );
    await typeAll(texts);
    await expectDelivered('limited ws', texts);
    expect(refused).toBeGreaterThan(0);
  });

  it('marks a refused message failed with its reason and sends the ones after it', async () => {
    const texts = burst('refusal', 4);
    const detail = 'You cannot message this person';
    await waitOnline();
    jitter.answerFrames((frame) =>
      frame.body === 'refusal 02'
        ? JSON.stringify({ type: 'error', code: 'blocked', detail, clientMsgId: frame.clientMsgId })
        : undefined,
    );
    // Should the socket drop meanwhile, the HTTP fallback is refused the same way.
    jitter.answerPosts((body) =>
      body.body === 'refusal 02' ? { status: 403, body: { code: 'blocked', detail } } : undefined,
    );
    await typeAll(texts);
    const expected = texts.filter((text) => text !== 'refusal 02');
    await expectDelivered('refusal', expected);
    const failed = messageItem(alice.page, 'refusal 02');
    await expect.poll(() => failed.getAttribute('data-state')).toBe('failed');
    await expectText(failed, 'Not sent');
    await expectText(failed, detail);
  });

  it('has no page errors', () => {
    expect(alice.problems).toEqual([]);
    expect(bob.problems).toEqual([]);
  });
});
