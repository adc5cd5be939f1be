import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiSession } from './support/api.js';
import { launchChromium, openPage, screenshot, type TestPage } from './support/browser.js';
import { expectText, newPerson, type Person, register, signedIn, signIn } from './support/chat-ui.js';
import { linkIn, mailTo } from './support/mail.js';

const baseUrl = inject('apiUrl');

const signInForm = async (page: Page, email: string, password: string): Promise<void> => {
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
};

const loginStatus = async (email: string, password: string): Promise<number> => {
  const res = await fetch(`${baseUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password, transport: 'token' }),
  });
  return res.status;
};

describe('account settings, password reset and email verification in the browser', () => {
  let browser: Browser;
  const pages: TestPage[] = [];
  const open = async (): Promise<TestPage> => {
    const page = await openPage(browser, baseUrl);
    pages.push(page);
    return page;
  };
  const settings = (page: Page) => page.getByRole('dialog', { name: 'Account settings' });

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const { problems } of pages) expect(problems).toEqual([]);
    await browser?.close();
  });

  it('changes the password in Settings: this browser stays signed in, the other is signed out, only the new password works', async () => {
    const person = newPerson('Change');
    const first = await open();
    const second = await open();
    await register(first.page, person);
    await signIn(second.page, person);

    await first.page.getByRole('button', { name: 'Settings', exact: true }).click();
    const dialog = settings(first.page);
    const current = dialog.getByLabel('Current password', { exact: true });
    const next = dialog.getByLabel('New password', { exact: true });
    const change = dialog.getByRole('button', { name: 'Change password', exact: true });

    // invalid_credentials belongs to the current password; the session is not touched by it.
    await current.fill('not my password 123');
    await next.fill('a brand new password');
    await change.click();
    await expectText(dialog.locator('#settings-current-password-error'), 'That password is not right');
    expect(await current.getAttribute('aria-invalid')).toBe('true');
    await signedIn(first.page);

    // validation_failed with a field path: shown under the new password.
    await current.fill(person.password);
    await next.fill('short');
    await change.click();
    await expectText(dialog.locator('#settings-new-password-error'), 'at least 8 characters');
    expect(await dialog.locator('#settings-current-password-error').count()).toBe(0);

    const newPassword = `new ${randomUUID()}`;
    await current.fill(person.password);
    await next.fill(newPassword);
    await change.click();
    await expectText(dialog.getByRole('status'), 'other devices were signed out');
    await screenshot(first.page, '20-password-changed');
    // The other browser's session was revoked and its socket closed: it finds itself signed out.
    await second.page.getByRole('button', { name: 'Sign in', exact: true }).waitFor({ timeout: 15_000 });
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    await signedIn(first.page);

    await first.page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await signInForm(first.page, person.email, person.password);
    await expectText(first.page.getByRole('alert'), 'Invalid email or password');
    await signInForm(first.page, person.email, newPassword);
    await signedIn(first.page);
  });

  it('deletes the account after a warning and the password; back at sign-in, the account is gone', async () => {
    const person = newPerson('Leave');
    const { page, context } = await open();
    await register(page, person);

    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const dialog = settings(page);
    await expectText(dialog.locator('.danger-zone'), 'This cannot be undone');
    const password = dialog.getByLabel('Password', { exact: true });
    const remove = dialog.getByRole('button', { name: 'Delete account', exact: true });

    await password.fill('not my password 123');
    await remove.click();
    await expectText(dialog.locator('#settings-delete-password-error'), 'That password is not right');
    await signedIn(page);
    await screenshot(page, '21-delete-account');

    await password.fill(person.password);
    await remove.click();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await expectText(page.locator('.notice'), 'account was deleted');
    expect(await context.cookies()).toEqual([]);

    await signInForm(page, person.email, person.password);
    await expectText(page.getByRole('alert'), 'Invalid email or password');
    // The address is free again.
    await ApiSession.register(baseUrl, { ...person, password: `again ${randomUUID()}` });
  });

  it('forgot password → mailed link → reset → sign in with the new password; the link works once', async () => {
    const person = newPerson('Forgot');
    await ApiSession.register(baseUrl, person);
    const { page } = await open();
    await page.goto('/');
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    const email = page.getByLabel('Email', { exact: true });
    const sent = page.locator('forgot-password-screen').getByRole('status');

    // An address without an account gets the very same answer.
    await email.fill(`nobody-${randomUUID().slice(0, 8)}@example.com`);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await expectText(sent, 'If an account exists, we sent a link');
    const unknownAnswer = await sent.textContent();

    const since = new Date();
    await email.fill(person.email);
    await page.getByRole('button', { name: 'Send again' }).click();
    await expectText(sent, 'If an account exists, we sent a link');
    expect(await sent.textContent()).toBe(unknownAnswer);

    const link = linkIn(await mailTo(baseUrl, person.email, /password/i, since), '/#/reset-password');
    expect(new URL(link).origin).toBe(new URL(baseUrl).origin);
    await page.goto(link);
    const newPassword = `reset ${randomUUID()}`;
    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await screenshot(page, '22-reset-password');
    await page.getByRole('button', { name: 'Reset password', exact: true }).click();
    await expectText(page.locator('.notice'), 'Password changed, sign in');
    expect(new URL(page.url()).hash).toBe('');

    await signInForm(page, person.email, newPassword);
    await signedIn(page);
    expect(await loginStatus(person.email, person.password)).toBe(401);

    // The same link again (a hash change in the signed-in tab): refused.
    await page.goto(link);
    await page.getByLabel('New password', { exact: true }).fill(`other ${randomUUID()}`);
    await page.getByRole('button', { name: 'Reset password', exact: true }).click();
    await expectText(page.getByRole('alert'), 'This link is invalid or was already used');
    expect(await loginStatus(person.email, newPassword)).toBe(200);
  });

  it('an unverified account sees a banner with Resend; the mailed link confirms the address and the banner goes', async () => {
    const person: Person = newPerson('Verify');
    const { page } = await open();
    await register(page, person);
    const banner = page.getByRole('region', { name: 'Email verification' });
    await expectText(banner, 'verify your email');
    await expectText(banner, person.email);

    const since = new Date();
    await banner.getByRole('button', { name: 'Resend', exact: true }).click();
    await expectText(banner.getByRole('status'), 'We sent a new link');
    await screenshot(page, '23-verify-banner');
    const link = linkIn(await mailTo(baseUrl, person.email, /confirm|verify/i, since), '/#/verify-email');

    await page.goto(link);
    await expectText(page.getByRole('status'), 'Your email address is confirmed');
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await signedIn(page);
    expect(new URL(page.url()).hash).toBe('');
    await expect.poll(() => banner.count()).toBe(0);
    await page.reload();
    await signedIn(page);
    expect(await banner.count()).toBe(0);

    // A made-up token is refused with the same words as a used one.
    await page.goto('/#/verify-email?token=not-a-real-token');
    await expectText(page.getByRole('alert'), 'This link is invalid or was already used');
  });
});
