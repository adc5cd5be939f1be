import { randomUUID } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

export interface Person {
  displayName: string;
  email: string;
  password: string;
}

export function newPerson(name: string): Person {
  const id = randomUUID().slice(0, 8);
  return {
    displayName: `${name} ${id}`,
    email: `${name.toLowerCase()}-${id}@example.com`,
    password: `pw ${randomUUID()}`,
  };
}

/** Waits (polling) until the locator's text contains `text`. */
export async function expectText(locator: Locator, text: string, timeout = 10_000): Promise<void> {
  await expect.poll(() => locator.textContent(), { timeout }).toContain(text);
}

export async function register(page: Page, person: Person): Promise<void> {
  await page.goto('/');
  await page.getByRole('button', { name: 'Create one' }).click();
  await page.getByLabel('Display name', { exact: true }).fill(person.displayName);
  await page.getByLabel('Email', { exact: true }).fill(person.email);
  await page.getByLabel('Password', { exact: true }).fill(person.password);
  await page.getByRole('button', { name: 'Create account', exact: true }).click();
  await signedIn(page);
}

export async function signIn(page: Page, person: Person): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Email', { exact: true }).fill(person.email);
  await page.getByLabel('Password', { exact: true }).fill(person.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await signedIn(page);
}

export async function signedIn(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
}

/** Finds someone with "Search people" and opens the conversation with them. */
export async function openChatWith(page: Page, person: Person): Promise<void> {
  await page.getByLabel('Search people', { exact: true }).fill(person.displayName);
  await page
    .getByRole('list', { name: 'People found' })
    .getByRole('button', { name: person.displayName })
    .click();
  await page.getByRole('heading', { name: person.displayName, level: 2 }).waitFor();
}

/** The contact list entry for a person. */
export const contact = (page: Page, person: Person): Locator =>
  page.locator('contact-list').getByRole('button', { name: person.displayName });

export const messageLog = (page: Page): Locator => page.getByRole('log');

export async function send(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
}

/** How many messages in the open conversation have exactly this text. */
export const countMessages = (page: Page, text: string): Promise<number> =>
  messageLog(page).locator('.body').getByText(text, { exact: true }).count();

/** The message item (`li`) of a message with exactly this text. */
export const messageItem = (page: Page, text: string): Locator =>
  messageLog(page)
    .locator('li.msg')
    .filter({ has: page.locator('.body').getByText(text, { exact: true }) });
