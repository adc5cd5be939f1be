import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiSession, meWithCookies } from './support/api.js';
import { launchChromium, openPage, screenshot, type TestPage } from './support/browser.js';
import {
  expectText,
  messageItem,
  newPerson,
  openChatWith,
  register,
  send,
  signedIn,
  signIn,
} from './support/chat-ui.js';

const cookieHeader = (cookies: { name: string; value: string }[]): string =>
  cookies.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ');

describe('sessions in the browser', () => {
  let browser: Browser;
  const baseUrl = inject('apiUrl');
  const pages: TestPage[] = [];
  const open = async (): Promise<TestPage> => {
    const page = await openPage(browser, baseUrl);
    pages.push(page);
    return page;
  };

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('shows API validation errors inline, next to their fields', async () => {
    const { page } = await open();
    const person = newPerson('Val');
    await page.goto('/');
    await page.getByRole('button', { name: 'Create one' }).click();
    await page.getByLabel('Display name', { exact: true }).fill(person.displayName);
    await page.getByLabel('Email', { exact: true }).fill('not-an-email');
    await page.getByLabel('Password', { exact: true }).fill(person.password);
    await page.getByRole('button', { name: 'Create account', exact: true }).click();
    await expectText(page.locator('#auth-email-error'), 'Email address is not valid');
    expect(await page.getByLabel('Email', { exact: true }).getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('Email', { exact: true }).fill(person.email);
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Create account', exact: true }).click();
    await expectText(page.locator('#auth-password-error'), 'at least 8 characters');
    expect(await page.locator('#auth-email-error').count()).toBe(0);
    await screenshot(page, '10-validation-errors');

    await page.getByRole('button', { name: 'Use an existing account' }).click();
    await page.getByLabel('Email', { exact: true }).fill(person.email);
    await page.getByLabel('Password', { exact: true }).fill('wrong password 123');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectText(page.getByRole('alert'), 'Invalid email or password');
  });

  it('keeps the session in HttpOnly Secure SameSite=Strict cookies only, across a reload, with history', async () => {
    const { page, context } = await open();
    const me = newPerson('Reload');
    const peer = newPerson('Peer');
    const peerApi = await ApiSession.register(baseUrl, peer);
    await register(page, me);

    const cookies = await context.cookies();
    const access = cookies.find((cookie) => cookie.name === '__Host-access');
    const refresh = cookies.find((cookie) => cookie.name === '__Secure-refresh');
    expect(access).toMatchObject({ path: '/', httpOnly: true, secure: true, sameSite: 'Strict' });
    // Path /auth: logout must receive the refresh cookie too, to end the session by it.
    expect(refresh).toMatchObject({
      path: '/auth',
      httpOnly: true,
      secure: true,
      sameSite: 'Strict',
    });
    expect(await page.evaluate('document.cookie')).toBe('');
    expect(
      await page.evaluate('JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })'),
    ).toBe('{}{}');

    await openChatWith(page, peer);
    await send(page, 'remember me');
    await messageItem(page, 'remember me').and(page.locator('[data-state="sent"]')).waitFor();
    await peerApi.send((await peerApi.contacts())[0] ?? '', 'and me');

    await page.reload();
    await signedIn(page);
    await page.locator('contact-list').getByRole('button', { name: peer.displayName }).click();
    await messageItem(page, 'remember me').waitFor();
    await messageItem(page, 'and me').waitFor();
  });

  it('lists sessions, revokes another one, and that browser is signed out', async () => {
    const person = newPerson('Multi');
    const first = await open();
    const second = await open();
    await register(first.page, person);
    await signIn(second.page, person);

    await first.page.getByRole('button', { name: 'Sessions', exact: true }).click();
    const dialog = first.page.getByRole('dialog', { name: 'Active sessions' });
    await expect.poll(() => dialog.locator('li.session').count()).toBe(2);
    await expectText(dialog.locator('li.session.current'), 'This device');
    await screenshot(first.page, '11-sessions');

    await dialog.getByRole('button', { name: /^Revoke/ }).click();
    await expect.poll(() => dialog.locator('li.session').count()).toBe(1);
    // The revoked browser's socket is closed by the server; reconnecting finds the session gone.
    await second.page.getByRole('button', { name: 'Sign in', exact: true }).waitFor({ timeout: 15_000 });
    await expectText(second.page.locator('.notice'), 'session has ended');
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    await signedIn(first.page);
  });

  it('"Sign out everywhere" ends every session of the account', async () => {
    const person = newPerson('Every');
    const first = await open();
    const second = await open();
    await register(first.page, person);
    await signIn(second.page, person);
    await first.page.getByRole('button', { name: 'Sessions', exact: true }).click();
    await first.page.getByRole('button', { name: 'Sign out everywhere', exact: true }).click();
    await first.page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await second.page.getByRole('button', { name: 'Sign in', exact: true }).waitFor({ timeout: 15_000 });
  });

  it('signs out: the old cookies no longer work anywhere, and a reload stays signed out', async () => {
    const { page, context } = await open();
    const person = newPerson('Bye');
    await register(page, person);
    const before = await context.cookies();
    expect(await meWithCookies(baseUrl, cookieHeader(before.filter((c) => c.name === '__Host-access')))).toBe(
      200,
    );

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await screenshot(page, '12-signed-out');
    expect(await context.cookies()).toEqual([]);
    expect(await meWithCookies(baseUrl, cookieHeader(before.filter((c) => c.name === '__Host-access')))).toBe(
      401,
    );
    const replay = await fetch(`${baseUrl}/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: cookieHeader(before) },
      body: '{}',
    });
    expect(replay.status).toBe(401);

    await page.reload();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    for (const { problems } of pages) expect(problems).toEqual([]);
  });
});
